package dev.tailsampling.jobs;

import static dev.tailsampling.jobs.TailSamplingOptions.ICEBERG_CATALOG_PREFIX;
import static dev.tailsampling.jobs.TailSamplingOptions.KAFKA_SECURITY_PREFIX;

import dev.tailsampling.iceberg.IcebergCatalogConf;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.ParameterTool;

/**
 * Reading and checking {@code --key value} job parameters, shared by the jobs and commands: every
 * error names the parameter and what it accepts.
 */
final class JobParameters {
    private JobParameters() {}

    /** The parameters of {@code args}; a flag without a value is an error. */
    static Map<String, String> parse(String[] args) {
        ParameterTool params = ParameterTool.fromArgs(args);
        for (Map.Entry<String, String> e : params.toMap().entrySet()) {
            // ParameterTool marks a flag given without a value with this placeholder.
            if ("__NO_VALUE_KEY".equals(e.getValue())) {
                throw new IllegalArgumentException("--" + e.getKey() + " needs a value");
            }
        }
        return params.toMap();
    }

    /** Kafka client properties: brokers plus the pass-through ones. */
    static Properties kafkaClientProperties(String bootstrapServers, Map<String, String> passThrough) {
        Properties props = new Properties();
        props.putAll(passThrough);
        props.put("bootstrap.servers", bootstrapServers);
        return props;
    }

    /** Stops at a parameter that is neither in {@code options} nor under a pass-through prefix. */
    static void rejectUnknown(Map<String, String> params, List<ConfigOption<?>> options) {
        TreeSet<String> known = options.stream().map(ConfigOption::key).collect(Collectors.toCollection(TreeSet::new));
        for (String key : params.keySet()) {
            if (!known.contains(key)
                    && !key.startsWith(KAFKA_SECURITY_PREFIX)
                    && !key.startsWith(ICEBERG_CATALOG_PREFIX)) {
                throw new IllegalArgumentException("unknown parameter --" + key + "; the parameters are --"
                        + String.join(", --", known) + ", --" + KAFKA_SECURITY_PREFIX
                        + "* and --" + ICEBERG_CATALOG_PREFIX + "*");
            }
        }
    }

    static IcebergCatalogConf catalog(Map<String, String> params) {
        return IcebergCatalogConf.fromParameters(params);
    }

    static Map<String, String> withPrefix(Map<String, String> params, String prefix) {
        Map<String, String> out = new HashMap<>();
        params.forEach((k, v) -> {
            if (k.startsWith(prefix) && k.length() > prefix.length()) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    static <T> T read(Configuration config, ConfigOption<T> option, String accepted) {
        try {
            return config.get(option);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "--" + option.key() + ": '" + config.toMap().get(option.key()) + "' is not valid; expected "
                            + accepted,
                    e);
        }
    }

    static String nonBlank(Configuration config, ConfigOption<String> option) {
        String value = config.get(option);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("--" + option.key() + " must not be empty");
        }
        return value;
    }

    /** The job's consumer group: {@code --kafka.group-id}, or the job's own name. */
    static String groupId(Configuration config, String jobName) {
        String value = config.getOptional(TailSamplingOptions.KAFKA_GROUP_ID).orElse(jobName);
        if (value.isBlank()) {
            throw new IllegalArgumentException("--" + TailSamplingOptions.KAFKA_GROUP_ID.key() + " must not be empty");
        }
        return value;
    }

    static Duration positive(Configuration config, ConfigOption<Duration> option) {
        Duration value = read(config, option, "a duration with a unit such as 30s, 500ms or 5min");
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("--" + option.key() + " must be a positive duration, was " + value);
        }
        return value;
    }

    /** The positive duration given for {@code option}, or {@code absent} when it is not given. */
    static Duration positiveOr(Configuration config, ConfigOption<Duration> option, Duration absent) {
        return config.contains(option) ? positive(config, option) : absent;
    }
}

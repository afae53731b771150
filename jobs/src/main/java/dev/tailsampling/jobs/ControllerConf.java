package dev.tailsampling.jobs;

import static dev.tailsampling.jobs.JobParameters.nonBlank;
import static dev.tailsampling.jobs.JobParameters.positive;
import static dev.tailsampling.jobs.JobParameters.read;
import static dev.tailsampling.jobs.TailSamplingOptions.KAFKA_SECURITY_PREFIX;

import dev.tailsampling.controller.Budget;
import dev.tailsampling.controller.ControllerOptions;
import dev.tailsampling.controller.ControllerSettings;
import dev.tailsampling.controller.ServiceSettings;
import dev.tailsampling.controller.ServiceSettingsFile;
import dev.tailsampling.iceberg.IcebergCatalogConf;
import dev.tailsampling.iceberg.IcebergOptions;
import java.io.Serializable;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

/** The budget controller's parameters, read and checked once at start; see {@link ControllerOptions}. */
public final class ControllerConf implements Serializable {
    private static final long serialVersionUID = 1L;

    public final String bootstrapServers;
    public final String ratesTopic;
    public final String statsTopic;
    public final String groupId;
    public final Map<String, String> kafkaProperties;
    public final IcebergCatalogConf catalog;
    public final ControllerSettings settings;
    public final Duration checkpointInterval;
    public final String stateDir;

    /** Every parameter of the controller job: the Kafka, catalog and checkpoint ones it shares, and its own. */
    static final List<ConfigOption<?>> ALL = Stream.<List<? extends ConfigOption<?>>>of(
                    List.of(
                            TailSamplingOptions.KAFKA_BOOTSTRAP_SERVERS,
                            TailSamplingOptions.KAFKA_TOPIC_RATES,
                            TailSamplingOptions.KAFKA_TOPIC_STATS,
                            TailSamplingOptions.KAFKA_GROUP_ID),
                    IcebergOptions.ALL,
                    ControllerOptions.ALL,
                    List.of(TailSamplingOptions.CHECKPOINT_INTERVAL, TailSamplingOptions.STATE_DIR))
            .flatMap(List::stream)
            .collect(Collectors.toUnmodifiableList());

    private ControllerConf(Map<String, String> params) {
        JobParameters.rejectUnknown(params, ALL);
        Configuration config = Configuration.fromMap(params);
        bootstrapServers = nonBlank(config, TailSamplingOptions.KAFKA_BOOTSTRAP_SERVERS);
        ratesTopic = nonBlank(config, TailSamplingOptions.KAFKA_TOPIC_RATES);
        statsTopic = nonBlank(config, TailSamplingOptions.KAFKA_TOPIC_STATS);
        groupId = JobParameters.groupId(config, "budget-controller");
        kafkaProperties = JobParameters.withPrefix(params, KAFKA_SECURITY_PREFIX);
        catalog = JobParameters.catalog(params);
        Budget budget = budget(config, params);
        ServiceSettings defaults = check(
                () -> new ServiceSettings(
                        number(config, ControllerOptions.MIN_RATE),
                        number(config, ControllerOptions.MAX_RATE),
                        number(config, ControllerOptions.FLOOR),
                        Double.NaN),
                "--controller.min-rate, --controller.max-rate, --controller.floor-traces-per-second");
        String servicesFile = config.get(ControllerOptions.SERVICES);
        Map<String, ServiceSettings> services = servicesFile == null
                ? Map.of()
                : check(() -> ServiceSettingsFile.read(Paths.get(servicesFile), defaults), "--controller.services");
        long storageBytes = read(config, ControllerOptions.STORAGE_BYTES, "a whole number of bytes, 0 for no limit");
        Duration interval = positive(config, ControllerOptions.INTERVAL);
        settings = check(
                () -> new ControllerSettings(
                        budget,
                        storageBytes,
                        number(config, ControllerOptions.MAX_CHANGE),
                        number(config, ControllerOptions.TOLERANCE),
                        number(config, ControllerOptions.SMOOTHING),
                        interval,
                        number(config, ControllerOptions.INITIAL_RATE),
                        defaults,
                        services,
                        config.get(ControllerOptions.BUDGET_GUARD)),
                "--budget.storage-bytes, --controller.max-change, --controller.tolerance," + " --controller.smoothing");
        checkpointInterval = positive(config, TailSamplingOptions.CHECKPOINT_INTERVAL);
        stateDir = config.get(TailSamplingOptions.STATE_DIR);
    }

    public static ControllerConf fromArgs(String[] args) {
        return fromMap(JobParameters.parse(args));
    }

    public static ControllerConf fromMap(Map<String, String> params) {
        return new ControllerConf(params);
    }

    public Properties kafkaClientProperties() {
        return JobParameters.kafkaClientProperties(bootstrapServers, kafkaProperties);
    }

    private static Budget budget(Configuration config, Map<String, String> params) {
        List<ConfigOption<Double>> budgets = List.of(
                ControllerOptions.SPANS_PER_SECOND, ControllerOptions.BYTES_PER_DAY, ControllerOptions.COST_PER_MONTH);
        long given = budgets.stream().filter(o -> params.containsKey(o.key())).count();
        if (given != 1) {
            throw new IllegalArgumentException(
                    "give exactly one budget: --budget.spans-per-second, --budget.bytes-per-day, or"
                            + " --budget.cost-per-month with --budget.cost-per-gb-month");
        }
        if (params.containsKey(ControllerOptions.SPANS_PER_SECOND.key())) {
            return check(
                    () -> Budget.spansPerSecond(number(config, ControllerOptions.SPANS_PER_SECOND)),
                    "--budget.spans-per-second");
        }
        if (params.containsKey(ControllerOptions.BYTES_PER_DAY.key())) {
            return check(
                    () -> Budget.bytesPerDay(number(config, ControllerOptions.BYTES_PER_DAY)),
                    "--budget.bytes-per-day");
        }
        if (!params.containsKey(ControllerOptions.COST_PER_GB_MONTH.key())) {
            throw new IllegalArgumentException("--budget.cost-per-month needs --budget.cost-per-gb-month");
        }
        Duration retention = positive(config, ControllerOptions.RETENTION);
        return check(
                () -> Budget.costPerMonth(
                        number(config, ControllerOptions.COST_PER_MONTH),
                        number(config, ControllerOptions.COST_PER_GB_MONTH),
                        retention),
                "--budget.cost-per-month, --budget.cost-per-gb-month");
    }

    private static double number(Configuration config, ConfigOption<Double> option) {
        return read(config, option, "a number such as 0.2");
    }

    /** Runs a constructor that checks its arguments and names the parameters in its error. */
    private static <T> T check(java.util.function.Supplier<T> build, String parameters) {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("--")) {
                throw e;
            }
            throw new IllegalArgumentException(parameters + ": " + e.getMessage(), e);
        }
    }
}

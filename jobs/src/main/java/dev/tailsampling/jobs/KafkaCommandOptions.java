package dev.tailsampling.jobs;

import static dev.tailsampling.jobs.TailSamplingOptions.KAFKA_SECURITY_PREFIX;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The {@code --key value} options of the commands that talk to Kafka ({@code rates}, {@code
 * dead-letters}), parsed without Flink (its classes are the cluster's, not in the job jar), with the
 * jobs' names: {@code --kafka.bootstrap-servers}, {@code --kafka.security.*}, and the command's own
 * keys with their defaults.
 */
record KafkaCommandOptions(Properties kafka, Map<String, String> values) {
    /** How long a command waits for the brokers before it says they do not answer. */
    static final Duration TIMEOUT = Duration.ofSeconds(15);

    /** Parses {@code args}; a key neither Kafka's nor in {@code defaults} is an error naming it. */
    static KafkaCommandOptions parse(String[] args, Map<String, String> defaults) {
        Properties kafka = new Properties();
        kafka.put("bootstrap.servers", "localhost:9092");
        // A command answers within a bounded time, not after the clients' minute of retries.
        kafka.put("max.block.ms", Long.toString(TIMEOUT.toMillis()));
        kafka.put("default.api.timeout.ms", Long.toString(TIMEOUT.toMillis()));
        Map<String, String> values = new LinkedHashMap<>(defaults);
        for (int i = 0; i < args.length; i += 2) {
            String key = args[i].startsWith("--") ? args[i].substring(2) : null;
            if (key == null || i + 1 >= args.length) {
                throw new IllegalArgumentException("options come as --key value pairs; '" + args[i] + "' has no value");
            }
            String value = args[i + 1];
            if (key.equals("kafka.bootstrap-servers")) {
                kafka.put("bootstrap.servers", value);
            } else if (key.startsWith(KAFKA_SECURITY_PREFIX) && key.length() > KAFKA_SECURITY_PREFIX.length()) {
                kafka.put(key.substring(KAFKA_SECURITY_PREFIX.length()), value);
            } else if (defaults.containsKey(key)) {
                values.put(key, value);
            } else {
                throw new IllegalArgumentException("unknown option --" + key);
            }
        }
        return new KafkaCommandOptions(kafka, values);
    }

    String get(String key) {
        return values.get(key);
    }

    /** The brokers named in {@code args}, or the default, for an error message. */
    static String bootstrapServers(String[] args) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--kafka.bootstrap-servers")) {
                return args[i + 1];
            }
        }
        return "localhost:9092";
    }
}

package dev.tailsampling.jobs;

import java.time.Duration;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.core.execution.CheckpointingMode;

/** The Flink wiring both jobs share: how they checkpoint and how they read a Kafka topic. */
final class StreamingSetup {
    private StreamingSetup() {}

    /** RocksDB state, incremental exactly-once checkpoints every {@code interval}, in {@code dir} if given. */
    static Configuration checkpointedOnRocksDb(Duration interval, String dir) {
        Configuration config = new Configuration();
        config.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        config.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        config.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, interval);
        config.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
        if (dir != null) {
            config.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, dir);
        }
        return config;
    }

    /**
     * A source of one topic, subscribed by name pattern so that the job starts before the topic
     * exists and picks it up within 10 s of its creation.
     */
    static <T> KafkaSource<T> topicOrLater(
            Properties kafka,
            String topic,
            String groupId,
            OffsetsInitializer start,
            KafkaRecordDeserializationSchema<T> records) {
        return KafkaSource.<T>builder()
                .setProperties(kafka)
                .setTopicPattern(Pattern.compile(Pattern.quote(topic)))
                .setProperty("partition.discovery.interval.ms", "10000")
                .setGroupId(groupId)
                .setStartingOffsets(start)
                .setDeserializer(records)
                .build();
    }
}

package dev.tailsampling.jobs;

import dev.tailsampling.iceberg.IcebergOptions;
import dev.tailsampling.operators.SamplerOptions;
import dev.tailsampling.operators.otlp.DecodeOptions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

/**
 * The job parameters, given as {@code --key value}: the Kafka topics and clients, dead letters and
 * checkpoints declared here, the catalog's, the sampler's and the decoder's in their modules
 * ({@link IcebergOptions}, {@link SamplerOptions}, {@link DecodeOptions}). Besides these, {@code --kafka.security.*} and
 * {@code --iceberg.catalog.*} pass their remainder through to the Kafka clients and the catalog.
 */
public final class TailSamplingOptions {

    public static final ConfigOption<String> KAFKA_BOOTSTRAP_SERVERS = ConfigOptions.key("kafka.bootstrap-servers")
            .stringType()
            .defaultValue("localhost:9092")
            .withDescription("Kafka brokers to read spans from and write dead letters to.");

    public static final ConfigOption<String> KAFKA_TOPIC_SPANS = ConfigOptions.key("kafka.topic.spans")
            .stringType()
            .defaultValue("otlp_spans")
            .withDescription("Topic of OTLP ExportTraceServiceRequest protobuf records.");

    public static final ConfigOption<String> KAFKA_TOPIC_DEAD_LETTERS = ConfigOptions.key("kafka.topic.dead-letters")
            .stringType()
            .defaultValue("otlp_spans_dlq")
            .withDescription("Topic for records and spans the job refuses, with a reason header.");

    public static final ConfigOption<String> KAFKA_TOPIC_RATES = ConfigOptions.key("kafka.topic.rates")
            .stringType()
            .defaultValue("sampling_rates")
            .withDescription("Compacted topic of sampling rates (key: service, or * for the default and the"
                    + " pre-sampling rate), written by the budget controller.");

    public static final ConfigOption<String> KAFKA_TOPIC_STATS = ConfigOptions.key("kafka.topic.stats")
            .stringType()
            .defaultValue("sampling_stats")
            .withDescription("Topic of per-service, per-window sampling statistics for the controller.");

    /** Both jobs take it; each has its own default, its name ({@link JobParameters#groupId}). */
    public static final ConfigOption<String> KAFKA_GROUP_ID = ConfigOptions.key("kafka.group-id")
            .stringType()
            .noDefaultValue()
            .withDescription("Consumer group (tail-sampling, or budget-controller for the controller); offsets are"
                    + " committed on checkpoints.");

    public static final ConfigOption<MemorySize> DEAD_LETTER_MAX_BYTES = ConfigOptions.key("dead-letters.max-bytes")
            .memoryType()
            .defaultValue(new MemorySize(1_000_000))
            .withDescription("A dead letter larger than this goes as a pointer (empty value, truncated=true, the"
                    + " source offset); keep it under the producer's max.request.size and the dead-letter"
                    + " topic's max.message.bytes.");

    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL = ConfigOptions.key("checkpoint.interval")
            .durationType()
            .defaultValue(Duration.ofSeconds(30))
            .withDescription("Checkpoint interval; Iceberg commits on each checkpoint.");

    public static final ConfigOption<String> STATE_DIR = ConfigOptions.key("state.dir")
            .stringType()
            .noDefaultValue()
            .withDescription("Checkpoint directory (a file system URI); by default the cluster's own.");

    /** Prefix of Kafka client properties passed through, e.g. --kafka.security.sasl.mechanism. */
    public static final String KAFKA_SECURITY_PREFIX = "kafka.security.";

    /** Prefix of catalog properties passed through, e.g. --iceberg.catalog.uri. */
    public static final String ICEBERG_CATALOG_PREFIX = IcebergOptions.CATALOG_PREFIX;

    /** Every parameter of the tail-sampling job: Kafka's and the checkpoints' here, the others from their modules. */
    public static final ConfigOption<String> INDEX_ATTRIBUTES = ConfigOptions.key("index.attributes")
            .stringType()
            .defaultValue("")
            .withDescription("Comma-separated attribute keys (span or resource) whose values are indexed in the"
                    + " attribute_index table, so that the traces with a value are found without scanning"
                    + " spans, such as user.id,feature.flag; none by default. Pick keys whose values pick out"
                    + " few traces: each distinct value of a kept trace is one row.");

    static final List<ConfigOption<?>> ALL = Stream.<List<? extends ConfigOption<?>>>of(
                    List.of(
                            KAFKA_BOOTSTRAP_SERVERS,
                            KAFKA_TOPIC_SPANS,
                            KAFKA_TOPIC_DEAD_LETTERS,
                            KAFKA_TOPIC_RATES,
                            KAFKA_TOPIC_STATS,
                            KAFKA_GROUP_ID,
                            DEAD_LETTER_MAX_BYTES),
                    IcebergOptions.ALL,
                    SamplerOptions.ALL,
                    DecodeOptions.ALL,
                    List.of(INDEX_ATTRIBUTES, CHECKPOINT_INTERVAL, STATE_DIR))
            .flatMap(List::stream)
            .collect(Collectors.toUnmodifiableList());

    private TailSamplingOptions() {}
}

package dev.tailsampling.jobs;

import dev.tailsampling.iceberg.IcebergOptions;
import dev.tailsampling.operators.otlp.DecodeLimits;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

/**
 * The job parameters, given as {@code --key value}. Besides these, {@code --kafka.security.*} and
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

    public static final ConfigOption<String> POLICIES = ConfigOptions.key("sampling.policies")
            .stringType()
            .noDefaultValue()
            .withDescription("Policy file in the OpenTelemetry Collector's tail_sampling shape; without it,"
                    + " errors, slow traces and a representative sample are kept.");

    public static final ConfigOption<Duration> DECISION_WAIT = ConfigOptions.key("sampling.decision-wait")
            .durationType()
            .defaultValue(Duration.ofSeconds(30))
            .withDescription("A trace is decided when no span of it arrived for this long.");

    public static final ConfigOption<Duration> MAX_TRACE_DURATION = ConfigOptions.key("sampling.max-trace-duration")
            .durationType()
            .defaultValue(Duration.ofMinutes(5))
            .withDescription("A trace is decided at the latest this long after its first span.");

    public static final ConfigOption<Integer> MAX_SPANS_PER_TRACE = ConfigOptions.key("sampling.max-spans-per-trace")
            .intType()
            .defaultValue(10_000)
            .withDescription("A trace is decided as soon as it has this many spans.");

    public static final ConfigOption<MemorySize> MAX_TRACE_BYTES = ConfigOptions.key("sampling.max-trace-bytes")
            .memoryType()
            .defaultValue(MemorySize.ofMebiBytes(64))
            .withDescription("A trace is decided as soon as its buffered spans take this many bytes (OTLP encoded).");

    public static final ConfigOption<Duration> DECISION_CACHE_TTL = ConfigOptions.key("sampling.decision-cache-ttl")
            .durationType()
            .defaultValue(Duration.ofHours(1))
            .withDescription("How long a trace's decision is kept so that late spans follow it.");

    public static final ConfigOption<MemorySize> MAX_RECORD_BYTES = ConfigOptions.key("decode.max-record-bytes")
            .memoryType()
            .defaultValue(new MemorySize(DecodeLimits.DEFAULTS.maxRecordBytes()))
            .withDescription("A record larger than this after decompression is refused (record_too_large).");

    public static final ConfigOption<Integer> MAX_SPANS_PER_RECORD = ConfigOptions.key("decode.max-spans-per-record")
            .intType()
            .defaultValue(DecodeLimits.DEFAULTS.maxSpansPerRecord())
            .withDescription("A record with more spans is refused (too_many_spans).");

    public static final ConfigOption<Integer> MAX_VALUES_PER_RECORD = ConfigOptions.key("decode.max-values-per-record")
            .intType()
            .defaultValue(DecodeLimits.DEFAULTS.maxValuesPerRecord())
            .withDescription("A record with more values (messages at every level and unknown fields: what parsing"
                    + " allocates for) is refused before it is parsed (too_many_values).");

    public static final ConfigOption<Integer> MAX_ATTRIBUTES_PER_SPAN = ConfigOptions.key(
                    "decode.max-attributes-per-span")
            .intType()
            .defaultValue(DecodeLimits.DEFAULTS.maxAttributesPerSpan())
            .withDescription("A span with more attributes is refused alone (too_many_attributes).");

    public static final ConfigOption<Integer> MAX_EVENTS_PER_SPAN = ConfigOptions.key("decode.max-events-per-span")
            .intType()
            .defaultValue(DecodeLimits.DEFAULTS.maxEventsPerSpan())
            .withDescription("A span with more events is refused alone (too_many_events).");

    public static final ConfigOption<Integer> MAX_LINKS_PER_SPAN = ConfigOptions.key("decode.max-links-per-span")
            .intType()
            .defaultValue(DecodeLimits.DEFAULTS.maxLinksPerSpan())
            .withDescription("A span with more links is refused alone (too_many_links).");

    public static final ConfigOption<Integer> MAX_ATTRIBUTE_LENGTH = ConfigOptions.key("decode.max-attribute-length")
            .intType()
            .defaultValue(DecodeLimits.DEFAULTS.maxAttributeLength())
            .withDescription("String and bytes attribute values longer than this (characters, bytes) are cut to it;"
                    + " the span counts them in the attribute tail_sampling.truncated_values.");

    public static final ConfigOption<Duration> MAX_SPAN_AGE = ConfigOptions.key("decode.max-span-age")
            .durationType()
            .defaultValue(DecodeLimits.DEFAULTS.maxSpanAge())
            .withDescription("A span starting longer ago than this is refused (timestamp_out_of_range); longer than"
                    + " the spans topic's retention, so that a replay stays valid.");

    public static final ConfigOption<Duration> MAX_CLOCK_SKEW = ConfigOptions.key("decode.max-clock-skew")
            .durationType()
            .defaultValue(DecodeLimits.DEFAULTS.maxClockSkew())
            .withDescription("A span ending further in the future than this is refused (timestamp_out_of_range).");

    public static final ConfigOption<String> REDACTION_DROP = ConfigOptions.key("redaction.drop-attributes")
            .stringType()
            .defaultValue("")
            .withDescription("Comma-separated attribute keys removed from every span, event, link and resource in"
                    + " the decoder.");

    public static final ConfigOption<String> REDACTION_HASH = ConfigOptions.key("redaction.hash-attributes")
            .stringType()
            .defaultValue("")
            .withDescription("Comma-separated attribute keys whose values are replaced by their HMAC-SHA256 (32 hex"
                    + " characters) under the key in --redaction.hash-key-file.");

    public static final ConfigOption<String> REDACTION_HASH_KEY_FILE = ConfigOptions.key("redaction.hash-key-file")
            .stringType()
            .noDefaultValue()
            .withDescription("File holding the hash key, read on each task manager.");

    public static final ConfigOption<Boolean> REDACTION_SANITIZE_SQL = ConfigOptions.key("redaction.sanitize-sql")
            .booleanType()
            .defaultValue(false)
            .withDescription("Replace the literals of db.statement and db.query.text with ?.");

    public static final ConfigOption<MemorySize> DEAD_LETTER_MAX_BYTES = ConfigOptions.key("dead-letters.max-bytes")
            .memoryType()
            .defaultValue(new MemorySize(1_000_000))
            .withDescription("A dead letter larger than this goes as a pointer (empty value, truncated=true, the"
                    + " source offset); keep it under the producer's max.request.size and the dead-letter"
                    + " topic's max.message.bytes.");

    public static final ConfigOption<Duration> LATENCY_THRESHOLD = ConfigOptions.key("sampling.latency-threshold")
            .durationType()
            .defaultValue(Duration.ofSeconds(1))
            .withDescription("Traces at least this long, first start to last end, are kept.");

    public static final ConfigOption<Double> REPRESENTATIVE_RATE = ConfigOptions.key("sampling.representative-rate")
            .doubleType()
            .defaultValue(0.01)
            .withDescription("Fraction of the other traces kept as a representative sample, in [0, 1].");

    public static final ConfigOption<Duration> RATES_MAX_AGE = ConfigOptions.key("sampling.rates-max-age")
            .durationType()
            .defaultValue(Duration.ofMinutes(30))
            .withDescription("When the controller has written no rate for this long, pre-sampling keeps every trace"
                    + " again (so errors are never dropped on stale instructions).");

    public static final ConfigOption<Duration> STATS_WINDOW = ConfigOptions.key("sampling.stats-window")
            .durationType()
            .defaultValue(Duration.ofMinutes(1))
            .withDescription("Window of the per-service statistics published to the stats topic.");

    public static final ConfigOption<Duration> METRICS_DELAY = ConfigOptions.key("metrics.delay")
            .durationType()
            .defaultValue(Duration.ofSeconds(30))
            .withDescription("How long after a minute ends its service_metrics rows are written; spans of"
                    + " that minute arriving later go into another row for it.");

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

    static final List<ConfigOption<?>> ALL = List.of(
            KAFKA_BOOTSTRAP_SERVERS,
            KAFKA_TOPIC_SPANS,
            KAFKA_TOPIC_DEAD_LETTERS,
            KAFKA_TOPIC_RATES,
            KAFKA_TOPIC_STATS,
            KAFKA_GROUP_ID,
            IcebergOptions.CATALOG_TYPE,
            IcebergOptions.WAREHOUSE,
            IcebergOptions.NAMESPACE,
            POLICIES,
            DECISION_WAIT,
            MAX_TRACE_DURATION,
            MAX_SPANS_PER_TRACE,
            MAX_TRACE_BYTES,
            DECISION_CACHE_TTL,
            MAX_RECORD_BYTES,
            MAX_SPANS_PER_RECORD,
            MAX_VALUES_PER_RECORD,
            MAX_ATTRIBUTES_PER_SPAN,
            MAX_EVENTS_PER_SPAN,
            MAX_LINKS_PER_SPAN,
            MAX_ATTRIBUTE_LENGTH,
            MAX_SPAN_AGE,
            MAX_CLOCK_SKEW,
            DEAD_LETTER_MAX_BYTES,
            REDACTION_DROP,
            REDACTION_HASH,
            REDACTION_HASH_KEY_FILE,
            REDACTION_SANITIZE_SQL,
            LATENCY_THRESHOLD,
            REPRESENTATIVE_RATE,
            RATES_MAX_AGE,
            STATS_WINDOW,
            METRICS_DELAY,
            CHECKPOINT_INTERVAL,
            STATE_DIR);

    private TailSamplingOptions() {}
}

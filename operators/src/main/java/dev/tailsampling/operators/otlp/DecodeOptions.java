package dev.tailsampling.operators.otlp;

import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

/**
 * Parameters of decoding: the limits a record and its spans must keep ({@link DecodeLimits}) and
 * the redaction of attribute values.
 */
public final class DecodeOptions {

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

    /** Every one of them, for the jobs to compose and the docs to be checked against. */
    public static final List<ConfigOption<?>> ALL = List.of(
            MAX_RECORD_BYTES,
            MAX_SPANS_PER_RECORD,
            MAX_VALUES_PER_RECORD,
            MAX_ATTRIBUTES_PER_SPAN,
            MAX_EVENTS_PER_SPAN,
            MAX_LINKS_PER_SPAN,
            MAX_ATTRIBUTE_LENGTH,
            MAX_SPAN_AGE,
            MAX_CLOCK_SKEW,
            REDACTION_DROP,
            REDACTION_HASH,
            REDACTION_HASH_KEY_FILE,
            REDACTION_SANITIZE_SQL);

    private DecodeOptions() {}
}

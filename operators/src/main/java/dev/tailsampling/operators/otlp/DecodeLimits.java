package dev.tailsampling.operators.otlp;

import java.io.Serializable;
import java.time.Duration;

/**
 * What the decoder accepts from a producer. Every limit bounds the memory or the state one record
 * can take; a record or span past one goes to the dead letters with its own reason, except an
 * over-long attribute value, which is cut to {@code maxAttributeLength} characters and counted on
 * its span in the attribute {@value OtlpDecoder#TRUNCATED_VALUES_ATTRIBUTE}.
 *
 * @param maxRecordBytes bytes of one record's value, after Kafka decompressed it
 * @param maxSpansPerRecord spans in one record
 * @param maxValuesPerRecord messages in one record at every level (spans, attributes, values inside
 *     arrays and maps, events, links) plus fields the OTLP schema does not know: what parsing it
 *     allocates an object for
 * @param maxAttributesPerSpan attributes of one span
 * @param maxEventsPerSpan events of one span
 * @param maxLinksPerSpan links of one span
 * @param maxAttributeLength characters of one string attribute value (span, event, link, resource)
 * @param maxSpanAge how far before now a span may start, or null for no limit
 * @param maxClockSkew how far after now a span may end, or null for no limit
 */
public record DecodeLimits(
        int maxRecordBytes,
        int maxSpansPerRecord,
        int maxValuesPerRecord,
        int maxAttributesPerSpan,
        int maxEventsPerSpan,
        int maxLinksPerSpan,
        int maxAttributeLength,
        Duration maxSpanAge,
        Duration maxClockSkew)
        implements Serializable {

    /** The job's defaults; the age allows a replay of a topic retained for up to 30 days. */
    public static final DecodeLimits DEFAULTS = new DecodeLimits(
            8 << 20, 20_000, 1_000_000, 1_000, 1_000, 1_000, 65_536, Duration.ofDays(30), Duration.ofHours(1));

    public DecodeLimits {
        positive("max record bytes", maxRecordBytes);
        positive("max spans per record", maxSpansPerRecord);
        positive("max values per record", maxValuesPerRecord);
        positive("max attributes per span", maxAttributesPerSpan);
        positive("max events per span", maxEventsPerSpan);
        positive("max links per span", maxLinksPerSpan);
        positive("max attribute length", maxAttributeLength);
    }

    /** These limits with no check of span times: for recorded traces, read long after. */
    public DecodeLimits anyTime() {
        return new DecodeLimits(
                maxRecordBytes,
                maxSpansPerRecord,
                maxValuesPerRecord,
                maxAttributesPerSpan,
                maxEventsPerSpan,
                maxLinksPerSpan,
                maxAttributeLength,
                null,
                null);
    }

    private static void positive(String what, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(what + " must be at least 1, was " + value);
        }
    }
}

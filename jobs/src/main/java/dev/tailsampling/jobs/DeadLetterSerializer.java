package dev.tailsampling.jobs;

import dev.tailsampling.operators.DeadLetter;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Writes a dead letter as its original bytes with headers saying why ({@code reason}, {@code
 * detail}) and where it came from ({@code source_topic}, {@code source_partition}, {@code
 * source_offset}). One whose bytes would not fit under {@code maxBytes} goes as a pointer: an
 * empty value with {@code truncated=true} and {@code original_size}, the source headers naming the
 * record to read it from.
 */
public class DeadLetterSerializer {
    public static final String REASON_HEADER = "reason";
    public static final String DETAIL_HEADER = "detail";
    public static final String SOURCE_TOPIC_HEADER = "source_topic";
    public static final String SOURCE_PARTITION_HEADER = "source_partition";
    public static final String SOURCE_OFFSET_HEADER = "source_offset";
    public static final String TRUNCATED_HEADER = "truncated";
    public static final String ORIGINAL_SIZE_HEADER = "original_size";

    /** A detail longer than this is cut: it explains, the payload is the evidence. */
    static final int MAX_DETAIL_CHARS = 1_000;
    /** Room for the headers and the record's framing within the limit. */
    private static final int HEADROOM_BYTES = 4_096;

    private final String topic;
    private final int maxBytes;

    public DeadLetterSerializer(String topic, int maxBytes) {
        this.topic = topic;
        this.maxBytes = maxBytes;
    }

    public ProducerRecord<byte[], byte[]> serialize(DeadLetter deadLetter) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(REASON_HEADER, utf8(deadLetter.reason));
        String detail = deadLetter.detail == null ? "" : deadLetter.detail;
        headers.add(
                DETAIL_HEADER,
                utf8(detail.length() > MAX_DETAIL_CHARS ? detail.substring(0, MAX_DETAIL_CHARS) : detail));
        if (deadLetter.sourceTopic != null) {
            headers.add(SOURCE_TOPIC_HEADER, utf8(deadLetter.sourceTopic));
            headers.add(SOURCE_PARTITION_HEADER, utf8(Integer.toString(deadLetter.sourcePartition)));
            headers.add(SOURCE_OFFSET_HEADER, utf8(Long.toString(deadLetter.sourceOffset)));
        }
        byte[] value = deadLetter.payload;
        if (value != null && value.length > maxBytes - HEADROOM_BYTES) {
            headers.add(TRUNCATED_HEADER, utf8("true"));
            headers.add(ORIGINAL_SIZE_HEADER, utf8(Integer.toString(value.length)));
            value = new byte[0];
        }
        return new ProducerRecord<>(topic, null, null, null, value, headers);
    }

    /** Whether a record the serializer made is a pointer rather than the bytes themselves. */
    static boolean isTruncated(ProducerRecord<byte[], byte[]> record) {
        return record.headers().lastHeader(TRUNCATED_HEADER) != null;
    }

    private static byte[] utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}

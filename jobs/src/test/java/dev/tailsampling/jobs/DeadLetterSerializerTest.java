package dev.tailsampling.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.operators.DeadLetter;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class DeadLetterSerializerTest {
    private static final DeadLetterSerializer SERIALIZER = new DeadLetterSerializer("otlp_spans_dlq", 100_000);

    private static DeadLetter letter(int size) {
        DeadLetter letter = new DeadLetter(new byte[size], "unparseable_record", "x".repeat(5_000));
        letter.sourceTopic = "otlp_spans";
        letter.sourcePartition = 3;
        letter.sourceOffset = 42;
        return letter;
    }

    private static String header(ProducerRecord<byte[], byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    @Test
    void carriesTheOriginalBytesWithWhyAndWhereFrom() {
        ProducerRecord<byte[], byte[]> record = SERIALIZER.serialize(letter(1_000));

        assertThat(record.topic()).isEqualTo("otlp_spans_dlq");
        assertThat(record.value()).hasSize(1_000);
        assertThat(header(record, "reason")).isEqualTo("unparseable_record");
        assertThat(header(record, "detail")).hasSize(DeadLetterSerializer.MAX_DETAIL_CHARS);
        assertThat(header(record, "source_topic")).isEqualTo("otlp_spans");
        assertThat(header(record, "source_partition")).isEqualTo("3");
        assertThat(header(record, "source_offset")).isEqualTo("42");
        assertThat(header(record, "truncated")).isNull();
    }

    @Test
    void sendsADeadLetterTooLargeForTheTopicAsAPointer() {
        ProducerRecord<byte[], byte[]> record = SERIALIZER.serialize(letter(100_000));

        assertThat(record.value()).isEmpty();
        assertThat(header(record, "truncated")).isEqualTo("true");
        assertThat(header(record, "original_size")).isEqualTo("100000");
        assertThat(header(record, "source_offset")).isEqualTo("42");
    }
}

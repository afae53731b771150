package dev.tailsampling.jobs;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;

import dev.tailsampling.operators.DeadLetter;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** Writes a dead letter as its original bytes with {@code reason} and {@code detail} headers. */
public class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {
    private static final long serialVersionUID = 1L;

    public static final String REASON_HEADER = "reason";
    public static final String DETAIL_HEADER = "detail";

    private final String topic;

    public DeadLetterSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            DeadLetter deadLetter, KafkaSinkContext context, Long timestamp) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(REASON_HEADER, deadLetter.reason.getBytes(StandardCharsets.UTF_8));
        headers.add(DETAIL_HEADER, deadLetter.detail.getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(topic, null, null, null, deadLetter.payload, headers);
    }
}

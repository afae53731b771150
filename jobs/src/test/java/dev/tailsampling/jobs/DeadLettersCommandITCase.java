package dev.tailsampling.jobs;

import static dev.tailsampling.jobs.JobTestSupport.plainTrace;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.local.cluster.EmbeddedKafka;
import dev.tailsampling.operators.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code dead-letters show} and {@code replay} against a real broker, with dead letters as the job writes them. */
class DeadLettersCommandITCase {
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start();
        kafka.createTopic("otlp_spans", 1, Map.of());
        kafka.createTopic("otlp_spans_dlq", 1, Map.of());
    }

    @AfterAll
    static void stopKafka() throws Exception {
        kafka.close();
    }

    @Test
    void showCountsPerReasonAndReplayCopiesOneReasonOnce() throws Exception {
        byte[] large = plainTrace("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7");
        byte[] small = plainTrace("5bf92f3577b34da6a3ce929d0e0e4736", "10f067aa0ba902b7");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(kafka.clientProperties(), new ByteArraySerializer(), new ByteArraySerializer())) {
            RecordMetadata source =
                    producer.send(new ProducerRecord<>("otlp_spans", large)).get();
            DeadLetterSerializer whole = new DeadLetterSerializer("otlp_spans_dlq", 1_000_000);
            // A pointer: the serializer's limit below the record's size leaves only where it came from.
            DeadLetterSerializer pointers = new DeadLetterSerializer("otlp_spans_dlq", 4_096 + large.length - 1);
            producer.send(pointers.serialize(letter(large, "record_too_large", source.offset())))
                    .get();
            producer.send(whole.serialize(letter(small, "too_many_spans", 7))).get();
            producer.send(whole.serialize(letter("junk".getBytes(StandardCharsets.UTF_8), "unparseable_record", 8)))
                    .get();
        }

        String shown = run(0, "show");
        assertThat(shown).contains("record_too_large", "too_many_spans", "unparseable_record", "otlp_spans/0@");

        assertThat(run(0, "replay", "record_too_large")).contains("replayed 1 dead letters");
        assertThat(run(0, "replay", "too_many_spans")).contains("replayed 1 dead letters");
        assertThat(run(0, "replay", "too_many_spans"))
                .as("a second replay copies only what came since")
                .contains("replayed 0 dead letters");
        List<ConsumerRecord<byte[], byte[]>> spans = JobTestSupport.records(kafka.bootstrapServers(), "otlp_spans", 3);
        assertThat(spans).hasSize(3);
        assertThat(spans.get(1).value())
                .as("the pointer's source record, whole")
                .isEqualTo(large);
        assertThat(spans.get(2).value()).isEqualTo(small);

        assertThat(run(2, "replay")).isEmpty();
        assertThat(run(2, "show", "--kafka.topic.rates", "x")).isEmpty();
    }

    private static DeadLetter letter(byte[] payload, String reason, long offset) {
        DeadLetter letter = new DeadLetter(payload, reason, "refused: " + reason);
        letter.sourceTopic = "otlp_spans";
        letter.sourcePartition = 0;
        letter.sourceOffset = offset;
        return letter;
    }

    private static String run(int status, String... args) throws Exception {
        return JobTestSupport.runCommand(DeadLettersCommand::run, kafka.bootstrapServers(), status, args);
    }
}

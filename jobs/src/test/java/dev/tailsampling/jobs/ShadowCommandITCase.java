package dev.tailsampling.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.local.cluster.EmbeddedKafka;
import dev.tailsampling.sampling.TraceSummary;
import dev.tailsampling.sampling.rates.PolicyKeeps;
import dev.tailsampling.sampling.rates.RatesJson;
import dev.tailsampling.sampling.rates.ServiceStats;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code shadow report} on a real broker: statistics records in and around a window, summed per policy. */
class ShadowCommandITCase {
    private static final Instant AT = Instant.parse("2026-12-01T10:00:00Z");

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start();
        kafka.createTopic("sampling_stats", 2, Map.of("retention.ms", "-1"));
    }

    @AfterAll
    static void stopKafka() throws Exception {
        kafka.close();
    }

    @Test
    void sumsLiveAndShadowKeepsPerPolicyOverTheWindow() throws Exception {
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(kafka.clientProperties(), new ByteArraySerializer(), new ByteArraySerializer())) {
            send(producer, AT.minusSeconds(120), stats("checkout", 100, 4));
            send(producer, AT.plusSeconds(10), stats("checkout", 10, 2));
            send(producer, AT.plusSeconds(20), stats("frontend", 3, 1));
            send(producer, AT.plusSeconds(3_600), stats("checkout", 100, 4));
            producer.send(new ProducerRecord<>(
                            "sampling_stats",
                            null,
                            AT.plusSeconds(30).toEpochMilli(),
                            null,
                            "not json".getBytes(StandardCharsets.UTF_8)))
                    .get();
        }
        String report = run(
                0, "report", "--from", AT.toString(), "--to", AT.plusSeconds(60).toString());
        assertThat(report).contains("2 statistics records, 13 traces decided");
        // Per trace 5 spans and 500 bytes; the shadow file keeps the live file's errors and every other trace.
        assertThat(report).containsPattern("live\\s+errors\\s+3\\s+15\\s+1,500");
        assertThat(report).containsPattern("shadow\\s+everything\\s+10\\s+50\\s+5,000");
        assertThat(report).containsPattern("shadow\\s+errors\\s+3\\s+15\\s+1,500");
        assertThat(report).containsPattern("shadow\\s+\\(all\\)\\s+13\\s+65\\s+6,500");

        assertThat(run(2, "report", "--from", "yesterday", "--to", AT.toString()))
                .isEmpty();
        assertThat(run(2, "list")).isEmpty();
    }

    /** A window of {@code traces} decided traces of 5 spans and 500 bytes each, {@code errors} of them kept. */
    private static ServiceStats stats(String service, int traces, int errors) {
        TraceSummary trace = new TraceSummary();
        trace.spanCount = 5;
        trace.byteCount = 500;
        ServiceStats window = ServiceStats.empty(service);
        for (int i = 0; i < traces; i++) {
            ServiceStats one = ServiceStats.empty(service);
            one.tracesSeen = 1;
            if (i < errors) {
                one.keptByPolicy.put("errors", PolicyKeeps.of(trace));
                one.shadowKept("errors", trace);
            } else {
                one.shadowKept("everything", trace);
            }
            window.add(one);
        }
        return window;
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, Instant at, ServiceStats stats) throws Exception {
        producer.send(new ProducerRecord<>("sampling_stats", null, at.toEpochMilli(), null, RatesJson.write(stats)))
                .get();
    }

    private static String run(int status, String... args) throws Exception {
        return JobTestSupport.runCommand(ShadowCommand::run, kafka.bootstrapServers(), status, args);
    }
}

package dev.tailsampling.jobs;

import static dev.tailsampling.jobs.JobTestSupport.errorTrace;
import static dev.tailsampling.jobs.JobTestSupport.plainTrace;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.iceberg.IcebergCatalogConf;
import dev.tailsampling.iceberg.WarehouseSql;
import dev.tailsampling.local.cluster.EmbeddedKafka;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.types.Row;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code replay} on a real broker with a known history: an hour of records between two others, read
 * by Kafka's offsets for the times, decided by the job's own graph under two policy files. The
 * first replay writes its tables to a scratch namespace; the second compares a wider file with
 * those tables as the live job's. Neither touches the live namespace or the job's consumer group.
 */
class ReplayCommandITCase {
    /** The fixtures' spans start at 2026-01-01T00:00:00Z; the records are stamped around it. */
    private static final Instant DAY = Instant.parse("2026-01-01T00:00:00Z");

    private static EmbeddedKafka kafka;

    @TempDir
    Path temp;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start();
        // Kept whatever the stamps' age: retention goes by the records' timestamps.
        kafka.createTopic("otlp_spans", 2, Map.of("retention.ms", "-1"));
        kafka.createTopic("sampling_rates", 1, Map.of("cleanup.policy", "compact"));
    }

    @AfterAll
    static void stopKafka() throws Exception {
        kafka.close();
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void replaysTheWindowWithNewPoliciesAndComparesWithWhatWasKept() throws Exception {
        List<String> inWindow = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(kafka.clientProperties(), new ByteArraySerializer(), new ByteArraySerializer())) {
            send(
                    producer,
                    DAY.minus(Duration.ofHours(2)),
                    errorTrace(trace(1), "00f067aa0ba902b7", "00f067aa0ba902b8"));
            send(producer, DAY, errorTrace(trace(2), "00f067aa0ba902b7", "00f067aa0ba902b8"));
            for (int i = 10; i < 30; i++) {
                send(producer, DAY.plusSeconds(i), plainTrace(trace(i), "b7ad6b7169203331"));
                inWindow.add(trace(i));
            }
            send(producer, DAY.plus(Duration.ofHours(2)), errorTrace(trace(3), "00f067aa0ba902b7", "00f067aa0ba902b8"));
        }
        Path errorsOnly = policies(
                "errors-only.yaml", "{ name: errors, type: status_code, status_code: { status_codes: [ERROR] } }");
        Path everything = policies(
                "everything.yaml",
                "{ name: errors, type: status_code, status_code: { status_codes: [ERROR] } }",
                "{ name: everything, type: always_sample }");
        String warehouse = temp.resolve("warehouse").toString();
        String from = DAY.minus(Duration.ofHours(1)).toString();
        String to = DAY.plus(Duration.ofHours(1)).toString();

        String first = replay(
                "--policies",
                errorsOnly.toString(),
                "--from",
                from,
                "--to",
                to,
                "--into",
                "scratch",
                "--iceberg.warehouse",
                warehouse);
        assertThat(first).contains("21 traces and 22 spans decided", "tables written to namespace scratch");
        assertThat(row(first, "errors")).containsExactly("1", "2", "0", "0");
        List<Row> written = WarehouseSql.open(IcebergCatalogConf.fromParameters(
                        Map.of("iceberg.warehouse", warehouse, "iceberg.namespace", "scratch")))
                .query("SELECT trace_id, sampling_policy FROM spans");
        assertThat(written)
                .extracting(r -> r.getFieldAs("trace_id") + " " + r.getFieldAs("sampling_policy"))
                .containsOnly(trace(2) + " errors")
                .hasSize(2);
        assertThat(Files.exists(Path.of(warehouse, "tracing")))
                .as("the live namespace is never written")
                .isFalse();

        String second = replay(
                "--policies",
                everything.toString(),
                "--from",
                from,
                "--to",
                to,
                "--price-per-gb",
                "20",
                "--iceberg.warehouse",
                warehouse,
                "--iceberg.namespace",
                "scratch");
        assertThat(row(second, "errors")).containsExactly("1", "2", "1", "2");
        assertThat(row(second, "everything")).containsExactly(Integer.toString(inWindow.size()), "20", "0", "0");
        assertThat(second).contains("a day at 20.0 a GB");

        try (Admin admin = Admin.create(kafka.clientProperties())) {
            assertThat(admin.listConsumerGroupOffsets("tail-sampling")
                            .partitionsToOffsetAndMetadata()
                            .get())
                    .as("the job's consumer group has no offsets from a replay")
                    .isEmpty();
        }
    }

    @Test
    void aBadWindowOrTheLiveNamespaceIsRefusedBeforeAnythingRuns() throws Exception {
        assertThat(status("--policies", "x.yaml", "--from", "yesterday", "--to", "2026-01-01T00:00:00Z"))
                .isEqualTo(2);
        assertThat(status("--policies", "x.yaml", "--from", "2026-01-02T00:00:00Z", "--to", "2026-01-01T00:00:00Z"))
                .isEqualTo(2);
        assertThat(status(
                        "--policies",
                        "x.yaml",
                        "--from",
                        "2026-01-01T00:00:00Z",
                        "--to",
                        "2026-01-02T00:00:00Z",
                        "--into",
                        "tracing"))
                .isEqualTo(2);
    }

    private static String trace(int i) {
        return String.format("%032x", 0xabc000L + i);
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, Instant at, byte[] record) throws Exception {
        producer.send(new ProducerRecord<>("otlp_spans", null, at.toEpochMilli(), null, record))
                .get();
    }

    private Path policies(String name, String... policies) throws Exception {
        StringBuilder yaml = new StringBuilder("tail_sampling:\n  decision_wait: 1s\n  policies:\n");
        for (String policy : policies) {
            yaml.append("    - ").append(policy).append('\n');
        }
        return Files.writeString(temp.resolve(name), yaml.toString());
    }

    private static String replay(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--kafka.bootstrap-servers", kafka.bootstrapServers(), "--decode.max-span-age", "36500d"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = ReplayCommand.run(all.toArray(new String[0]), new PrintStream(out), new PrintStream(err));
        assertThat(exit).as("exit status; stderr: %s", err).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }

    private static int status(String... args) throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = ReplayCommand.run(args, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("error: ");
        return exit;
    }

    /** The numbers of a policy's row but its bytes: replay traces and spans, live traces and spans. */
    private static List<String> row(String report, String policy) {
        for (String line : report.split("\n")) {
            String[] cells = line.trim().split("\\s+");
            if (cells[0].equals(policy)) {
                return List.of(
                        cells[1].replace(",", ""),
                        cells[2].replace(",", ""),
                        cells[4].replace(",", ""),
                        cells[5].replace(",", ""));
            }
        }
        throw new AssertionError("no row for " + policy + " in\n" + report);
    }
}

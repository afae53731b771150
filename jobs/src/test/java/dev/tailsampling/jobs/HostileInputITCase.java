package dev.tailsampling.jobs;

import static dev.tailsampling.jobs.JobTestSupport.committedRows;
import static dev.tailsampling.jobs.JobTestSupport.header;
import static dev.tailsampling.jobs.JobTestSupport.records;
import static dev.tailsampling.jobs.JobTestSupport.start;
import static dev.tailsampling.jobs.JobTestSupport.waitUntil;
import static dev.tailsampling.operators.otlp.OtlpTestData.attr;
import static dev.tailsampling.operators.otlp.OtlpTestData.error;
import static dev.tailsampling.operators.otlp.OtlpTestData.id;
import static dev.tailsampling.operators.otlp.OtlpTestData.request;
import static dev.tailsampling.operators.otlp.OtlpTestData.resourceSpans;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.iceberg.WarehouseSql;
import dev.tailsampling.local.cluster.EmbeddedKafka;
import dev.tailsampling.local.cluster.ProgressReporter;
import dev.tailsampling.operators.otlp.OtlpDecoder;
import dev.tailsampling.operators.otlp.OtlpMutator;
import dev.tailsampling.operators.otlp.OtlpTestData;
import dev.tailsampling.sampling.ConsistentProbability;
import dev.tailsampling.sampling.summary.CriticalPath;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a hostile or broken producer sends, through the real job (Kafka broker in process, Flink
 * MiniCluster with RocksDB, Iceberg), with restarts off so that any failure would end the job: a
 * 50 MB gzip bomb, 3 MiB of compressed garbage, garbage the dead-letter topic refuses, a trace
 * 5,000 spans deep, a span that is not UTF-8 beside a valid error trace, a span from 1970 and a
 * retried span. The job must stay up, keep every valid span once, and explain every refusal.
 */
class HostileInputITCase {
    private static final String DEEP_TRACE = "5bf92f3577b34da6a3ce929d0e0e4736";
    private static final String ERROR_TRACE = "6bf92f3577b34da6a3ce929d0e0e4737";
    private static final String OLD_TRACE = "7bf92f3577b34da6a3ce929d0e0e4738";
    private static final int DEPTH = 5_000;
    /** The dead-letter topic takes records up to this size: a larger dead letter fails its send. */
    private static final int DLQ_TOPIC_MAX_BYTES = 20_000;

    @RegisterExtension
    static final MiniClusterExtension FLINK = JobTestSupport.miniCluster();

    private static EmbeddedKafka kafka;

    @TempDir
    Path temp;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start();
        kafka.createTopic("otlp_spans", 2, Map.of());
        kafka.createTopic("otlp_spans_dlq", 1, Map.of("max.message.bytes", Integer.toString(DLQ_TOPIC_MAX_BYTES)));
        kafka.createTopic("sampling_stats", 1, Map.of());
    }

    @AfterAll
    static void stopKafka() throws Exception {
        kafka.close();
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void theJobStaysUpKeepsEveryValidSpanOnceAndExplainsEveryRefusal() throws Exception {
        long nowMillis = System.currentTimeMillis();
        publishHostileInput(nowMillis);

        TailSamplingConf conf = TailSamplingConf.fromMap(Map.of(
                "kafka.bootstrap-servers", kafka.bootstrapServers(),
                "iceberg.warehouse", temp.resolve("warehouse").toString(),
                "sampling.decision-wait", "2s",
                "sampling.representative-rate", "0",
                "metrics.delay", "1s",
                "checkpoint.interval", "500ms"));
        JobClient job = start(conf, 2, flink -> {});

        Table spans = conf.catalog.loadTable("spans");
        int keptSpans = DEPTH + 3;
        waitUntil(
                () -> committedRows(spans) == keptSpans && ProgressReporter.total("deadLettersFailed") == 1,
                keptSpans + " spans committed and the refused dead letter counted",
                job);
        waitUntil(() -> committedRows(conf.catalog.loadTable("trace_summaries")) == 2, "2 trace summaries", job);
        assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
        job.cancel().get(1, TimeUnit.MINUTES);

        WarehouseSql sql = WarehouseSql.open(conf.catalog);
        List<Row> rows = sql.query("SELECT trace_id, span_id FROM spans");
        assertThat(rows).hasSize(keptSpans);
        assertThat(rows.stream()
                        .map(r -> r.getField("trace_id") + "/" + r.getField("span_id"))
                        .distinct()
                        .count())
                .as("the retried span once")
                .isEqualTo(keptSpans);
        List<Row> summaries = sql.query("SELECT trace_id, span_count, summary_note FROM trace_summaries");
        Map<String, Row> byTrace = new HashMap<>();
        summaries.forEach(r -> byTrace.put((String) r.getField("trace_id"), r));
        assertThat(byTrace).containsOnlyKeys(DEEP_TRACE, ERROR_TRACE);
        assertThat(byTrace.get(DEEP_TRACE).getField("span_count")).isEqualTo(DEPTH);
        assertThat(byTrace.get(DEEP_TRACE).getField("summary_note"))
                .isEqualTo("critical path cut at depth " + CriticalPath.MAX_DEPTH);
        assertThat(byTrace.get(ERROR_TRACE).getField("summary_note")).isNull();

        List<ConsumerRecord<byte[], byte[]>> deadLetters = records(kafka.bootstrapServers(), "otlp_spans_dlq", 4);
        Map<String, ConsumerRecord<byte[], byte[]>> byReason = new HashMap<>();
        deadLetters.forEach(r -> byReason.put(header(r, "reason"), r));
        assertThat(byReason)
                .containsOnlyKeys(
                        OtlpDecoder.RECORD_TOO_LARGE,
                        OtlpDecoder.UNPARSEABLE_RECORD,
                        OtlpDecoder.INVALID_UTF8,
                        OtlpDecoder.TIMESTAMP_OUT_OF_RANGE);
        for (ConsumerRecord<byte[], byte[]> letter : deadLetters) {
            assertThat(header(letter, "source_topic")).isEqualTo("otlp_spans");
            assertThat(header(letter, "source_partition")).isEqualTo("0");
            assertThat(Long.parseLong(header(letter, "source_offset"))).isBetween(0L, 6L);
        }
        ConsumerRecord<byte[], byte[]> bomb = byReason.get(OtlpDecoder.RECORD_TOO_LARGE);
        assertThat(header(bomb, "truncated")).isEqualTo("true");
        assertThat(header(bomb, "original_size")).isEqualTo(Integer.toString(50 << 20));
        assertThat(bomb.value()).isEmpty();
        ConsumerRecord<byte[], byte[]> garbage = byReason.get(OtlpDecoder.UNPARSEABLE_RECORD);
        assertThat(header(garbage, "original_size")).isEqualTo(Integer.toString(3 << 20));
        assertThat(byReason.get(OtlpDecoder.INVALID_UTF8).value()).isNotEmpty();
        assertThat(byReason.get(OtlpDecoder.INVALID_UTF8).headers().lastHeader("truncated"))
                .isNull();
    }

    /**
     * Mutants of valid requests, interleaved with valid traces: the job keeps or drops each valid
     * trace exactly as its policies say, as if the mutants were not there.
     */
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void validTracesAmongMutantsAreDecidedAsWithoutThem() throws Exception {
        kafka.createTopic("fuzz_spans", 2, Map.of());
        kafka.createTopic("fuzz_spans_dlq", 1, Map.of());
        Random random = new Random(20261201L);
        List<byte[]> seeds = OtlpMutator.seeds();
        Set<String> expected = new HashSet<>();
        Set<String> validTraces = new HashSet<>();
        Set<String> lastTraces = new HashSet<>();
        long start = System.currentTimeMillis() * 1_000_000L;
        int mutants = 0;
        // Mutants above the broker's 1 MB message limit are refused by the broker: that is the broker's
        // limit at work, not the job's. The valid records are sent one by one and waited for.
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                Map.of(
                        "bootstrap.servers",
                        kafka.bootstrapServers(),
                        "max.request.size",
                        Integer.toString(16 << 20),
                        "enable.idempotence",
                        "false",
                        "max.in.flight.requests.per.connection",
                        "1"),
                new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int t = 0; t < 40; t++) {
                String traceId = String.format("%016x%016x", random.nextLong(), random.nextLong());
                boolean failed = t % 4 == 0;
                validTraces.add(traceId);
                Span.Builder root = spanAt(traceId, 0, -1, start, start + 50_000_000L);
                Span.Builder child = spanAt(traceId, 1, 0, start + 1_000_000L, start + 20_000_000L);
                if (failed) {
                    error(child);
                }
                if (failed || ConsistentProbability.isSampled(traceId, 0.5)) {
                    expected.add(traceId + "/" + String.format("%016x", 1));
                    expected.add(traceId + "/" + String.format("%016x", 2));
                }
                producer.send(new ProducerRecord<>(
                                "fuzz_spans",
                                t % 2,
                                null,
                                request(resourceSpans("frontend", root)).toByteArray()))
                        .get();
                for (int m = 0; m < 50; m++, mutants++) {
                    producer.send(new ProducerRecord<>(
                            "fuzz_spans",
                            m % 2,
                            null,
                            OtlpMutator.mutate(seeds.get(random.nextInt(seeds.size())), random)));
                }
                // The trace's second record comes after mutants on the same partition: well within the wait.
                producer.send(new ProducerRecord<>(
                                "fuzz_spans",
                                t % 2,
                                null,
                                request(resourceSpans("checkout", child)).toByteArray()))
                        .get();
            }
            // A last error trace on each partition: once both are in the table, every record before them was read.
            for (int partition = 0; partition < 2; partition++) {
                String last = String.format("ffffffffffffffff%016x", partition + 1);
                validTraces.add(last);
                lastTraces.add(last);
                expected.add(last + "/" + String.format("%016x", 1));
                producer.send(new ProducerRecord<>(
                                "fuzz_spans",
                                partition,
                                null,
                                request(resourceSpans(
                                                "frontend", error(spanAt(last, 0, -1, start, start + 1_000_000L))))
                                        .toByteArray()))
                        .get();
            }
            producer.flush();
        }

        TailSamplingConf conf = TailSamplingConf.fromMap(Map.of(
                "kafka.bootstrap-servers", kafka.bootstrapServers(),
                "kafka.topic.spans", "fuzz_spans",
                "kafka.topic.dead-letters", "fuzz_spans_dlq",
                "kafka.group-id", "fuzz",
                "iceberg.warehouse", temp.resolve("warehouse").toString(),
                "sampling.decision-wait", "5s",
                "sampling.representative-rate", "0.5",
                "checkpoint.interval", "500ms",
                // The mutants' spans ran on a fixed day: let them reach the sampler too.
                "decode.max-span-age", "36500d"));
        JobClient job = start(conf, 2, flink -> {});

        Table spans = conf.catalog.loadTable("spans");
        waitUntil(() -> committedTraces(spans).containsAll(lastTraces), "the last traces committed", job);
        BooleanSupplier settled =
                () -> ProgressReporter.total("tracesStarted") == ProgressReporter.total("tracesDecided")
                        && committedRows(spans) == ProgressReporter.total("spansKept");
        waitUntil(
                () -> settled.getAsBoolean() && sleep(3_000) && settled.getAsBoolean(),
                "every trace decided and committed",
                job);
        assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
        assertThat(ProgressReporter.total("deadLetters"))
                .as("the mutants were refused in part")
                .isGreaterThan(mutants / 10);
        job.cancel().get(1, TimeUnit.MINUTES);

        List<String> validRows = WarehouseSql.open(conf.catalog).query("SELECT trace_id, span_id FROM spans").stream()
                .filter(r -> validTraces.contains((String) r.getField("trace_id")))
                .map(r -> r.getField("trace_id") + "/" + r.getField("span_id"))
                .toList();
        assertThat(validRows).doesNotHaveDuplicates();
        assertThat(new HashSet<>(validRows)).isEqualTo(expected);
    }

    /** The trace ids in the table's current snapshot. */
    private static Set<String> committedTraces(Table table) {
        table.refresh();
        Set<String> ids = new HashSet<>();
        try (CloseableIterable<Record> rows =
                IcebergGenerics.read(table).select("trace_id").build()) {
            rows.forEach(row -> ids.add((String) row.getField("trace_id")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ids;
    }

    private static boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Every record to partition 0, in this order; offsets 0 to 6. */
    private static void publishHostileInput(long nowMillis) throws Exception {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        // A producer may compress a huge record into a small batch: the broker lets it through.
        props.put("compression.type", "gzip");
        props.put("max.request.size", Integer.toString(64 << 20));
        props.put("buffer.memory", Long.toString(128L << 20));
        long start = nowMillis * 1_000_000L;
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            send(producer, new byte[50 << 20]);
            send(producer, garbage(3 << 20));
            send(producer, garbage(50_000));

            List<Span.Builder> chain = new ArrayList<>();
            for (int i = 0; i < DEPTH; i++) {
                chain.add(spanAt(
                        DEEP_TRACE, i, i == 0 ? -1 : i - 1, start + i * 1_000L, start + 2L * DEPTH * 1_000L - i));
            }
            error(chain.get(0));
            send(
                    producer,
                    request(resourceSpans("deep", chain.toArray(new Span.Builder[0])))
                            .toByteArray());

            Span.Builder root = error(spanAt(ERROR_TRACE, 0, -1, start, start + 5_000_000L));
            Span.Builder child = spanAt(ERROR_TRACE, 1, 0, start + 1_000_000L, start + 2_000_000L);
            Span.Builder bad = spanAt(ERROR_TRACE, 2, 0, start, start + 1_000L).addAttributes(attr("user", "XXXX"));
            Span.Builder other = spanAt(ERROR_TRACE, 3, 0, start, start + 1_000L);
            byte[] withBadSpan =
                    request(resourceSpans("checkout", root, child, bad, other)).toByteArray();
            send(producer, OtlpTestData.overwrite(withBadSpan, "XXXX", OtlpTestData.NOT_UTF8));
            // An exporter retrying a request that did arrive.
            send(
                    producer,
                    request(resourceSpans(
                                    "checkout", spanAt(ERROR_TRACE, 1, 0, start + 1_000_000L, start + 2_000_000L)))
                            .toByteArray());

            send(
                    producer,
                    request(resourceSpans("legacy", error(spanAt(OLD_TRACE, 0, -1, 0, 5_000L))))
                            .toByteArray());
            producer.flush();
        }
    }

    private static Span.Builder spanAt(String traceId, int index, int parent, long startNanos, long endNanos) {
        return Span.newBuilder()
                .setTraceId(id(traceId))
                .setSpanId(id(String.format("%016x", index + 1)))
                .setParentSpanId(
                        parent < 0 ? com.google.protobuf.ByteString.EMPTY : id(String.format("%016x", parent + 1)))
                .setName("op" + index)
                .setKind(Span.SpanKind.SPAN_KIND_SERVER)
                .setStartTimeUnixNano(startNanos)
                .setEndTimeUnixNano(endNanos);
    }

    private static byte[] garbage(int size) {
        byte[] text = "this is not protobuf ".getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[size];
        for (int i = 0; i < size; i++) {
            out[i] = text[i % text.length];
        }
        return out;
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>("otlp_spans", 0, null, value)).get();
    }
}

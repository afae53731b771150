package dev.tailsampling.jobs;

import static dev.tailsampling.operators.otlp.OtlpTestData.error;
import static dev.tailsampling.operators.otlp.OtlpTestData.request;
import static dev.tailsampling.operators.otlp.OtlpTestData.resourceSpans;
import static dev.tailsampling.operators.otlp.OtlpTestData.span;
import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;

import com.google.protobuf.ByteString;
import dev.tailsampling.jobs.local.EmbeddedKafka;
import dev.tailsampling.jobs.local.ProgressReporter;
import dev.tailsampling.operators.otlp.OtlpDecoder;
import dev.tailsampling.sampling.ConsistentProbability;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole job on the real parts: a Kafka broker in this JVM, a Flink mini cluster with RocksDB
 * and checkpoints at parallelism 2, an Iceberg Hadoop catalog in a temporary folder, read back with
 * Flink SQL.
 */
class TailSamplingJobITCase {
    private static final double RATE = 0.25;
    private static final int ERROR_TRACES = 6;
    private static final int SLOW_TRACES = 6;
    private static final int PLAIN_TRACES = 40;
    private static final int TRACES = ERROR_TRACES + SLOW_TRACES + PLAIN_TRACES;

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .setConfiguration(clusterConfiguration())
                            .build());

    private static EmbeddedKafka kafka;

    @TempDir Path temp;

    private static Configuration clusterConfiguration() {
        Configuration config = new Configuration();
        config.setString(
                "metrics.reporter.progress.factory.class", ProgressReporter.Factory.class.getName());
        config.setString("metrics.reporter.progress.interval", "1 s");
        return config;
    }

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start();
        kafka.createTopic("otlp_spans", 2, Map.of());
        kafka.createTopic("otlp_spans_dlq", 1, Map.of());
        kafka.createTopic("sampling_stats", 1, Map.of());
    }

    @AfterAll
    static void stopKafka() throws Exception {
        kafka.close();
    }

    /** One fixture trace: root in frontend, checkout below it, payment and a database call below that. */
    private static final class Trace {
        final String traceId;
        final boolean failed;
        final boolean slow;
        final List<String> spanIds = new ArrayList<>();

        Trace(Random random, boolean failed, boolean slow) {
            this.traceId = String.format("%016x%016x", random.nextLong(), random.nextLong());
            this.failed = failed;
            this.slow = slow;
            for (int i = 0; i < 4; i++) {
                spanIds.add(String.format("%016x", random.nextLong() | 1));
            }
        }

        /** The representative sample keeps a plain trace when its id clears the rate's threshold. */
        boolean expectedKept() {
            return failed || slow || ConsistentProbability.isSampled(traceId, RATE);
        }

        String expectedPolicy() {
            return failed ? "errors" : slow ? "slow" : "representative";
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void keepsErrorSlowAndRepresentativeTracesWholeAndDeadLettersBadInput() throws Exception {
        Random random = new Random(42);
        List<Trace> traces = new ArrayList<>();
        for (int i = 0; i < TRACES; i++) {
            traces.add(new Trace(random, i < ERROR_TRACES, i >= ERROR_TRACES && i < ERROR_TRACES + SLOW_TRACES));
        }
        publish(traces);

        TailSamplingConf conf =
                TailSamplingConf.fromMap(
                        Map.of(
                                "kafka.bootstrap-servers", kafka.bootstrapServers(),
                                "iceberg.warehouse", temp.resolve("warehouse").toString(),
                                "sampling.decision-wait", "2s",
                                "sampling.latency-threshold", "1s",
                                "sampling.representative-rate", Double.toString(RATE),
                                "checkpoint.interval", "500ms"));
        Configuration flink = TailSamplingJob.flinkConfiguration(conf);
        flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        env.setParallelism(2);
        JobClient job = new TailSamplingJob(conf).start(env);

        Table spans =
                conf.catalog.catalogLoader().loadCatalog().loadTable(conf.catalog.tableId("spans"));
        waitUntilAllDecidedAndCommitted(spans);
        long keptByMetric = ProgressReporter.total("spansKept");
        job.cancel().get(1, TimeUnit.MINUTES);

        List<Row> rows =
                WarehouseSql.open(conf.catalog)
                        .query(
                                "SELECT trace_id, span_id, sampling_policy, sample_probability, adjusted_count,"
                                        + " service_name, sampling_trigger, trace_incomplete FROM spans");

        Map<String, Trace> byId = traces.stream().collect(Collectors.toMap(t -> t.traceId, t -> t));
        Set<String> expectedSpans = new HashSet<>();
        for (Trace trace : traces) {
            if (trace.expectedKept()) {
                trace.spanIds.forEach(id -> expectedSpans.add(trace.traceId + "/" + id));
            }
        }
        List<String> keptSpans =
                rows.stream().map(r -> r.getField(0) + "/" + r.getField(1)).collect(Collectors.toList());
        assertThat(keptSpans).as("no span twice").doesNotHaveDuplicates();
        assertThat(new HashSet<>(keptSpans)).isEqualTo(expectedSpans);
        assertThat((long) rows.size()).isEqualTo(keptByMetric);
        long representative = traces.stream().filter(t -> !t.failed && !t.slow && t.expectedKept()).count();
        assertThat(representative).as("the fixture exercises the representative sample").isBetween(3L, 37L);
        for (Row row : rows) {
            Trace trace = byId.get((String) row.getField(0));
            assertThat(row.getField(2)).isEqualTo(trace.expectedPolicy());
            double probability = trace.failed || trace.slow ? 1.0 : RATE;
            assertThat((Double) row.getField(3)).isEqualTo(probability);
            assertThat((Double) row.getField(4)).isEqualTo(1.0 / probability);
            assertThat(row.getField(6)).isEqualTo("inactivity");
            assertThat(row.getField(7)).isEqualTo(false);
        }
        assertThat(rows.stream().map(r -> (String) r.getField(5)).distinct())
                .containsExactlyInAnyOrder("frontend", "checkout", "payment");

        Map<String, String> deadLetters = readDeadLetters(2);
        assertThat(deadLetters)
                .containsOnlyKeys(OtlpDecoder.UNPARSEABLE_RECORD, OtlpDecoder.INVALID_SPAN_ID);
        assertThat(deadLetters.get(OtlpDecoder.INVALID_SPAN_ID)).contains("all zeros");
    }

    /**
     * Spans of a trace come in two requests on two partitions, several traces a request, as a
     * collector batching per service would send them; then one record that is not OTLP at all and
     * one span with a zero id inside an otherwise valid request.
     */
    private static void publish(List<Trace> traces) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(kafka.clientProperties(), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int from = 0; from < traces.size(); from += 5) {
                List<Trace> batch = traces.subList(from, Math.min(from + 5, traces.size()));
                var front = new ArrayList<io.opentelemetry.proto.trace.v1.Span.Builder>();
                var checkout = new ArrayList<io.opentelemetry.proto.trace.v1.Span.Builder>();
                var payment = new ArrayList<io.opentelemetry.proto.trace.v1.Span.Builder>();
                for (Trace t : batch) {
                    long length = t.slow ? 1_500 : 120;
                    List<String> ids = t.spanIds;
                    front.add(span(t.traceId, ids.get(0), "", "GET /checkout", 0, length));
                    checkout.add(span(t.traceId, ids.get(1), ids.get(0), "placeOrder", 5, length - 10));
                    var charge = span(t.traceId, ids.get(2), ids.get(1), "charge", 10, 50);
                    payment.add(t.failed ? error(charge) : charge);
                    payment.add(span(t.traceId, ids.get(3), ids.get(2), "SELECT accounts", 20, 10));
                }
                if (from == 0) {
                    payment.add(
                            span(batch.get(0).traceId, "00000000000000ff", "", "broken", 0, 1)
                                    .setSpanId(ByteString.copyFrom(new byte[8])));
                }
                send(producer, 0, request(
                        resourceSpans("frontend", front.toArray(new io.opentelemetry.proto.trace.v1.Span.Builder[0])),
                        resourceSpans("checkout", checkout.toArray(new io.opentelemetry.proto.trace.v1.Span.Builder[0])))
                        .toByteArray());
                send(producer, 1, request(
                        resourceSpans("payment", payment.toArray(new io.opentelemetry.proto.trace.v1.Span.Builder[0])))
                        .toByteArray());
            }
            send(producer, 0, "this is not protobuf".getBytes(StandardCharsets.UTF_8));
            producer.flush();
        }
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, int partition, byte[] value)
            throws Exception {
        producer.send(new ProducerRecord<>("otlp_spans", partition, null, value)).get();
    }

    /** Waits until every trace is decided and the table holds every span the sampler kept. */
    private static void waitUntilAllDecidedAndCommitted(Table spans) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            if (ProgressReporter.total("tracesDecided") == TRACES) {
                spans.refresh();
                Snapshot snapshot = spans.currentSnapshot();
                long committed =
                        snapshot == null
                                ? 0
                                : Long.parseLong(snapshot.summary().getOrDefault("total-records", "0"));
                if (committed == ProgressReporter.total("spansKept")) {
                    return;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError(
                "timed out: decided " + ProgressReporter.total("tracesDecided") + " of " + TRACES);
    }

    private static Map<String, String> readDeadLetters(int expected) {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        props.put("group.id", "dlq-check");
        props.put("auto.offset.reset", "earliest");
        Map<String, String> found = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("otlp_spans_dlq"));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (found.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    found.put(
                            new String(record.headers().lastHeader("reason").value(), StandardCharsets.UTF_8),
                            new String(record.headers().lastHeader("detail").value(), StandardCharsets.UTF_8));
                }
            }
        }
        return found;
    }
}

package dev.tailsampling.jobs;

import static dev.tailsampling.jobs.JobTestSupport.committedRows;
import static dev.tailsampling.operators.otlp.OtlpTestData.error;
import static dev.tailsampling.operators.otlp.OtlpTestData.id;
import static dev.tailsampling.operators.otlp.OtlpTestData.request;
import static dev.tailsampling.operators.otlp.OtlpTestData.resourceSpans;
import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.types.Row;

import dev.tailsampling.jobs.local.EmbeddedKafka;
import dev.tailsampling.sampling.ConsistentProbability;
import io.opentelemetry.proto.trace.v1.Span;
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
import java.util.function.BooleanSupplier;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Buffered traces survive the loss of a TaskManager, a stop with a savepoint and a restart at
 * another parallelism with a wider policy, and nothing is written twice. First: the job runs on two
 * TaskManagers with RocksDB, incremental checkpoints and a fixed-delay restart strategy while one is
 * killed right after an Iceberg commit and the other between commits, with traces split over records
 * on different partitions and half of them sent on either side of a kill. Read back through Iceberg:
 * every span of every kept trace exactly once, every error trace whole, each representative trace
 * kept exactly when its randomness clears the rate, one summary per kept trace, and service metrics
 * counting every span produced, exactly. Then: stopped with a savepoint while traces are half sent,
 * restarted from it at parallelism 4 with a higher representative rate and a different decision
 * wait, and again at parallelism 1; each trace is kept exactly when its randomness clears the rate
 * in force when it was decided.
 */
class ExactlyOnceITCase {
    private static final double RATE = 0.3;
    private static final double WIDER_RATE = 0.5;
    private static final int TRACES_PER_PHASE = 300;
    private static final int TRACES_PER_RECORD = 10;
    private static final int PARTITIONS = 4;

    @TempDir Path temp;

    private EmbeddedKafka kafka;
    private MiniCluster cluster;

    @BeforeEach
    void start() throws Exception {
        kafka = EmbeddedKafka.start();
        kafka.createTopic("otlp_spans", PARTITIONS, Map.of());
        kafka.createTopic("otlp_spans_dlq", 1, Map.of());
        kafka.createTopic("sampling_stats", 1, Map.of());
        cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setNumTaskManagers(2)
                .setNumSlotsPerTaskManager(2)
                .setConfiguration(new Configuration())
                .build());
        cluster.start();
    }

    @AfterEach
    void stop() throws Exception {
        cluster.close();
        kafka.close();
    }

    /** One trace: frontend root, checkout child, payment grandchild; the root comes in a record of its own. */
    private record Trace(String traceId, boolean failed) {
        List<String> spanIds() {
            return List.of("0000000000000001", "0000000000000002", "0000000000000003");
        }

        boolean kept() {
            return keptAt(RATE);
        }

        boolean keptAt(double rate) {
            return failed || ConsistentProbability.isSampled(traceId, rate);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {7, 11, 23})
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void killingTaskManagersLosesNoTraceAndWritesNoSpanTwice(long seed) throws Exception {
        Random random = new Random(seed);
        long startNanos = (System.currentTimeMillis() - 10 * 60_000L) * 1_000_000L;
        List<Trace> traces = new ArrayList<>();
        TailSamplingConf conf = conf(RATE, "2s");
        JobID job = submit(conf, 2, null);
        Table spans = conf.catalog.loadTable("spans");

        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(kafka.clientProperties(), new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Trace> first = phase(random, traces);
            sendRoots(producer, first, startNanos);
            sendRest(producer, first, startNanos);
            waitUntil(() -> committedRows(spans) > 0, "a first commit", job);
            // Right after a commit: what follows it must be replayed, not lost. A new TaskManager takes
            // the place of both that ran the job.
            cluster.startTaskManager();
            cluster.terminateTaskManager(0).get(1, TimeUnit.MINUTES);
            cluster.terminateTaskManager(1).get(1, TimeUnit.MINUTES);

            List<Trace> second = phase(random, traces);
            sendRoots(producer, second, startNanos);
            Thread.sleep(700 + random.nextInt(600));
            // Between commits, with the second phase's traces half buffered.
            cluster.startTaskManager();
            cluster.terminateTaskManager(2).get(1, TimeUnit.MINUTES);
            sendRest(producer, second, startNanos);

            List<Trace> third = phase(random, traces);
            sendRoots(producer, third, startNanos);
            sendRest(producer, third, startNanos);
        }

        Set<String> expected = new HashSet<>();
        for (Trace trace : traces) {
            if (trace.kept()) {
                trace.spanIds().forEach(span -> expected.add(trace.traceId() + "/" + span));
            }
        }
        waitUntil(() -> committedRows(spans) >= expected.size(), expected.size() + " spans committed", job);
        // Anything written twice would arrive with later commits: give them the time to.
        Thread.sleep(5_000);
        assertThat(cluster.getJobStatus(job).get()).isEqualTo(JobStatus.RUNNING);
        assertThat(cluster.getExecutionGraph(job).get().getAllExecutionVertices())
                .as("every task restarted after each kill")
                .allSatisfy(vertex -> assertThat(vertex.getCurrentExecutionAttempt().getAttemptNumber()).isEqualTo(2));
        long expectedTraces = traces.stream().filter(Trace::kept).count();
        waitUntil(() -> committedRows(conf.catalog.loadTable("trace_summaries")) >= expectedTraces,
                "a summary per kept trace", job);
        Map<String, Long> producedPerService = Map.of(
                "frontend", (long) traces.size(), "checkout", (long) traces.size(), "payment", (long) traces.size());
        WarehouseSql sql = WarehouseSql.open(conf.catalog);
        waitUntil(() -> metricsPerService(sql).equals(producedPerService), "metrics for every span", job);
        cluster.cancelJob(job).get(1, TimeUnit.MINUTES);

        List<String> rows = sql.query("SELECT trace_id, span_id FROM spans").stream()
                .map(r -> r.getField(0) + "/" + r.getField(1)).toList();
        assertThat(rows).as("no span twice").doesNotHaveDuplicates();
        assertThat(new HashSet<>(rows)).isEqualTo(expected);
        List<String> summaries = sql.query("SELECT trace_id FROM trace_summaries").stream()
                .map(r -> (String) r.getField(0)).toList();
        assertThat(summaries).doesNotHaveDuplicates().hasSize((int) expectedTraces);
        assertThat(metricsPerService(sql)).isEqualTo(producedPerService);
        assertEachCheckpointCommittedOnce(conf);
    }

    /**
     * A run with a higher representative rate and a longer decision wait after each savepoint: traces
     * decided before the first keep at the first rate, all later ones at the second.
     */
    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void savepointsMidTraceAndRestartsAtOtherParallelismsWithAWiderPolicyKeepEachTraceOnce() throws Exception {
        Random random = new Random(5);
        long startNanos = (System.currentTimeMillis() - 10 * 60_000L) * 1_000_000L;
        String savepoints = temp.resolve("savepoints").toUri().toString();
        TailSamplingConf before = conf(RATE, "4s");
        TailSamplingConf after = conf(WIDER_RATE, "3s");
        List<Trace> traces = new ArrayList<>();
        Map<String, Double> rateInForce = new HashMap<>();
        JobID job = submit(before, 2, null);
        Table spans = before.catalog.loadTable("spans");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(kafka.clientProperties(), new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Trace> first = phase(random, traces);
            first.forEach(trace -> rateInForce.put(trace.traceId(), RATE));
            sendRoots(producer, first, startNanos);
            sendRest(producer, first, startNanos);
            long firstKept = 3 * first.stream().filter(trace -> trace.keptAt(RATE)).count();
            waitUntil(() -> committedRows(spans) == firstKept, "the first traces decided and committed", job);

            // Mid-trace: the roots are sent, their children will come after the restart.
            List<Trace> second = phase(random, traces);
            second.forEach(trace -> rateInForce.put(trace.traceId(), WIDER_RATE));
            sendRoots(producer, second, startNanos);
            String savepoint = stopWithSavepoint(job, savepoints);
            job = submit(after, 4, savepoint);
            sendRest(producer, second, startNanos);

            List<Trace> third = phase(random, traces);
            third.forEach(trace -> rateInForce.put(trace.traceId(), WIDER_RATE));
            sendRoots(producer, third, startNanos);
            savepoint = stopWithSavepoint(job, savepoints);
            job = submit(after, 1, savepoint);
            sendRest(producer, third, startNanos);
        }

        Set<String> expected = new HashSet<>();
        for (Trace trace : traces) {
            if (trace.keptAt(rateInForce.get(trace.traceId()))) {
                trace.spanIds().forEach(span -> expected.add(trace.traceId() + "/" + span));
            }
        }
        JobID last = job;
        waitUntil(() -> committedRows(spans) >= expected.size(), expected.size() + " spans committed", last);
        Thread.sleep(5_000);
        long keptTraces = expected.size() / 3;
        waitUntil(() -> committedRows(after.catalog.loadTable("trace_summaries")) >= keptTraces,
                "a summary per kept trace", last);
        Map<String, Long> produced = Map.of(
                "frontend", (long) traces.size(), "checkout", (long) traces.size(), "payment", (long) traces.size());
        WarehouseSql sql = WarehouseSql.open(after.catalog);
        waitUntil(() -> metricsPerService(sql).equals(produced), "metrics for every span", last);
        cluster.cancelJob(last).get(1, TimeUnit.MINUTES);

        List<String> rows = sql.query("SELECT trace_id, span_id FROM spans").stream()
                .map(r -> r.getField(0) + "/" + r.getField(1)).toList();
        assertThat(rows).as("no span twice").doesNotHaveDuplicates();
        assertThat(new HashSet<>(rows)).isEqualTo(expected);
        assertThat(sql.query("SELECT trace_id FROM trace_summaries")).hasSize((int) keptTraces);
        assertThat(metricsPerService(sql)).isEqualTo(produced);
        assertEachCheckpointCommittedOnce(after);
    }

    private TailSamplingConf conf(double rate, String decisionWait) {
        return TailSamplingConf.fromMap(Map.of(
                "kafka.bootstrap-servers", kafka.bootstrapServers(),
                "iceberg.warehouse", temp.resolve("warehouse").toString(),
                "state.dir", temp.resolve("checkpoints").toUri().toString(),
                "sampling.decision-wait", decisionWait,
                "sampling.representative-rate", Double.toString(rate),
                "metrics.delay", "1s",
                "checkpoint.interval", "500ms"));
    }

    /** Stops the job with a savepoint once all its tasks run (a savepoint needs them all). */
    private String stopWithSavepoint(JobID job, String directory) throws Exception {
        waitUntil(() -> {
            try {
                boolean running = true;
                for (var vertex : cluster.getExecutionGraph(job).get().getAllExecutionVertices()) {
                    running &= vertex.getExecutionState() == ExecutionState.RUNNING;
                }
                return running;
            } catch (Exception e) {
                return false;
            }
        }, "every task running", job);
        return cluster.stopWithSavepoint(job, directory, false, SavepointFormatType.CANONICAL).get(2, TimeUnit.MINUTES);
    }

    /** Submits the job at {@code parallelism}, from {@code savepoint} if one is given. */
    private JobID submit(TailSamplingConf conf, int parallelism, String savepoint) throws Exception {
        Configuration flink = TailSamplingJob.flinkConfiguration(conf);
        flink.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        flink.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 20);
        flink.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(1));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        env.setParallelism(parallelism);
        new TailSamplingJob(conf).build(env);
        StreamGraph graph = env.getStreamGraph();
        if (savepoint != null) {
            graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint, false));
        }
        return cluster.submitJob(graph).get().getJobID();
    }

    /**
     * No checkpoint of a job's sink is committed twice: Iceberg's Flink sink records the job, the
     * operator and the checkpoint on each snapshot it commits.
     */
    private static void assertEachCheckpointCommittedOnce(TailSamplingConf conf) {
        for (String name : List.of("spans", "trace_summaries", "trace_index", "service_metrics")) {
            Table table = conf.catalog.loadTable(name);
            List<String> commits = new ArrayList<>();
            for (Snapshot snapshot : table.snapshots()) {
                Map<String, String> summary = snapshot.summary();
                commits.add(summary.get("flink.job-id") + "/" + summary.get("flink.operator-id") + "/"
                        + summary.get("flink.max-committed-checkpoint-id"));
            }
            assertThat(commits).as(name + " snapshots").isNotEmpty().doesNotHaveDuplicates()
                    .noneMatch(commit -> commit.contains("null"));
        }
    }

    private static Map<String, Long> metricsPerService(WarehouseSql sql) {
        Map<String, Long> counts = new HashMap<>();
        try {
            for (Row row : sql.query("SELECT service_name, SUM(request_count) FROM service_metrics GROUP BY service_name")) {
                counts.put((String) row.getField(0), (Long) row.getField(1));
            }
        } catch (Exception e) {
            return Map.of();
        }
        return counts;
    }

    private static List<Trace> phase(Random random, List<Trace> all) {
        List<Trace> phase = new ArrayList<>();
        for (int i = 0; i < TRACES_PER_PHASE; i++) {
            phase.add(new Trace(String.format("%016x%016x", random.nextLong(), random.nextLong()), random.nextInt(10) == 0));
        }
        all.addAll(phase);
        return phase;
    }

    private static Span.Builder span(Trace trace, int index, long startNanos) {
        return Span.newBuilder()
                .setTraceId(id(trace.traceId()))
                .setSpanId(id(trace.spanIds().get(index)))
                .setParentSpanId(index == 0 ? com.google.protobuf.ByteString.EMPTY : id(trace.spanIds().get(index - 1)))
                .setName("op" + index)
                .setKind(Span.SpanKind.SPAN_KIND_SERVER)
                .setStartTimeUnixNano(startNanos + index * 1_000_000L)
                .setEndTimeUnixNano(startNanos + (100 - index) * 1_000_000L);
    }

    /** The roots, ten traces a record, over the partitions in turn. */
    private static void sendRoots(KafkaProducer<byte[], byte[]> producer, List<Trace> traces, long startNanos)
            throws Exception {
        for (int from = 0; from < traces.size(); from += TRACES_PER_RECORD) {
            List<Span.Builder> roots = new ArrayList<>();
            for (Trace trace : traces.subList(from, from + TRACES_PER_RECORD)) {
                roots.add(span(trace, 0, startNanos));
            }
            producer.send(new ProducerRecord<>("otlp_spans", (from / TRACES_PER_RECORD) % PARTITIONS, null,
                    request(resourceSpans("frontend", roots.toArray(new Span.Builder[0]))).toByteArray())).get();
        }
    }

    /** Child and grandchild, in one record per ten traces, on another partition than their roots. */
    private static void sendRest(KafkaProducer<byte[], byte[]> producer, List<Trace> traces, long startNanos)
            throws Exception {
        for (int from = 0; from < traces.size(); from += TRACES_PER_RECORD) {
            List<Span.Builder> checkout = new ArrayList<>();
            List<Span.Builder> payment = new ArrayList<>();
            for (Trace trace : traces.subList(from, from + TRACES_PER_RECORD)) {
                checkout.add(span(trace, 1, startNanos));
                Span.Builder charge = span(trace, 2, startNanos);
                payment.add(trace.failed() ? error(charge) : charge);
            }
            producer.send(new ProducerRecord<>("otlp_spans", (from / TRACES_PER_RECORD + 1) % PARTITIONS, null,
                    request(resourceSpans("checkout", checkout.toArray(new Span.Builder[0])),
                            resourceSpans("payment", payment.toArray(new Span.Builder[0]))).toByteArray())).get();
        }
    }

    private void waitUntil(BooleanSupplier done, String what, JobID job) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (!done.getAsBoolean()) {
            JobStatus status = cluster.getJobStatus(job).get();
            assertThat(status.isGloballyTerminalState()).as("the job ended while waiting for " + what).isFalse();
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(200);
        }
    }
}

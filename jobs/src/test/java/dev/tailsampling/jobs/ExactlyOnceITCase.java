package dev.tailsampling.jobs;

import static dev.tailsampling.jobs.JobTestSupport.committedRows;
import static dev.tailsampling.operators.otlp.OtlpTestData.error;
import static dev.tailsampling.operators.otlp.OtlpTestData.id;
import static dev.tailsampling.operators.otlp.OtlpTestData.request;
import static dev.tailsampling.operators.otlp.OtlpTestData.resourceSpans;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.iceberg.WarehouseSql;
import dev.tailsampling.local.cluster.EmbeddedKafka;
import dev.tailsampling.sampling.ConsistentProbability;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
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
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Buffered traces survive every failure the job meets in production, and nothing is written twice.
 *
 * <p>First, every fault in one run, on three Kafka brokers (topics replicated three times), a REST
 * catalog (Iceberg's own server) and two TaskManagers with RocksDB, incremental checkpoints and a
 * fixed-delay restart strategy: a TaskManager killed right after an Iceberg commit and another
 * between commits, all brokers stopped for 30 s, the catalog stopped for 60 s, a stop with a
 * savepoint mid-trace and a restart at parallelism 4 with a policy file that keeps more and waits
 * less, and a TaskManager killed again. Traces are split over records on different partitions and
 * sent on either side of the faults; some are errors, some slow, one record a phase is not OTLP at
 * all. Read back through Iceberg: every span of every kept trace exactly once, every error and
 * every slow trace whole, each representative trace kept exactly when its randomness clears the
 * rate in force when it was decided, one summary per kept trace, service metrics counting every
 * span produced, exactly, no checkpoint committed twice, and every bad record in the dead-letter
 * topic. Three seeds.
 *
 * <p>Then, cheaper, on one broker and a Hadoop catalog: stopped with a savepoint while traces are
 * half sent, restarted from it at parallelism 4 with a wider policy, and again at parallelism 1.
 */
class ExactlyOnceITCase {
    private static final double RATE = 0.3;
    private static final double WIDER_RATE = 0.5;
    private static final int TRACES_PER_PHASE = 300;
    private static final int CHAOS_TRACES_PER_PHASE = 3_000;
    private static final int TRACES_PER_RECORD = 10;
    private static final int PARTITIONS = 4;

    @TempDir
    Path temp;

    private EmbeddedKafka kafka;
    private MiniCluster cluster;

    @BeforeEach
    void start() throws Exception {
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
        if (kafka != null) {
            kafka.close();
        }
    }

    private void startKafka(int brokers) throws Exception {
        kafka = EmbeddedKafka.start(brokers);
        kafka.createTopic("otlp_spans", PARTITIONS, Map.of());
        kafka.createTopic("otlp_spans_dlq", 1, Map.of());
        kafka.createTopic("sampling_stats", 1, Map.of());
    }

    /**
     * One trace: frontend root, checkout child, payment grandchild; the root comes in a record of
     * its own. A failed trace's payment span is an error; a slow trace's root lasts 1.5 s.
     */
    private record Trace(String traceId, boolean failed, boolean slow) {
        List<String> spanIds() {
            return List.of("0000000000000001", "0000000000000002", "0000000000000003");
        }

        boolean keptAt(double rate) {
            return failed || slow || ConsistentProbability.isSampled(traceId, rate);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {7, 11, 23})
    @Timeout(value = 12, unit = TimeUnit.MINUTES)
    void everyFaultInOneRunLosesNoTraceAndWritesNoSpanTwice(long seed) throws Exception {
        startKafka(3);
        Random random = new Random(seed);
        long startNanos = (System.currentTimeMillis() - 10 * 60_000L) * 1_000_000L;
        List<Trace> traces = new ArrayList<>();
        Map<String, Double> rateInForce = new HashMap<>();
        List<String> badRecords = new ArrayList<>();
        try (RestCatalogServer catalog = new RestCatalogServer(temp.resolve("rest-warehouse"));
                KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                        kafka.clientProperties(), new ByteArraySerializer(), new ByteArraySerializer())) {
            catalog.start();
            TailSamplingConf before = restConf(catalog, policyFile("before.yaml", RATE, "5s"));
            TailSamplingConf after = restConf(catalog, policyFile("after.yaml", WIDER_RATE, "3s"));
            JobID job = submit(before, 2, null);
            Table spans = before.catalog.loadTable("spans");

            sendWhole(producer, phase(random, traces, CHAOS_TRACES_PER_PHASE, RATE, rateInForce), startNanos);
            sendBadRecord(producer, badRecords);
            waitUntil(() -> committedRows(spans) > 0, "a first commit", job);
            // Right after a commit: what follows it must be replayed, not lost. A new TaskManager
            // takes the place of both that ran the job.
            cluster.startTaskManager();
            cluster.terminateTaskManager(0).get(1, TimeUnit.MINUTES);
            cluster.terminateTaskManager(1).get(1, TimeUnit.MINUTES);

            List<Trace> second = phase(random, traces, CHAOS_TRACES_PER_PHASE, RATE, rateInForce);
            sendRoots(producer, second, startNanos);
            Thread.sleep(700 + random.nextInt(600));
            // Between commits, with the second phase's traces half buffered.
            cluster.startTaskManager();
            cluster.terminateTaskManager(2).get(1, TimeUnit.MINUTES);
            sendRest(producer, second, startNanos);
            sendBadRecord(producer, badRecords);

            // Every broker gone while the third phase's traces wait for their decision.
            sendWhole(producer, phase(random, traces, CHAOS_TRACES_PER_PHASE, RATE, rateInForce), startNanos);
            sendBadRecord(producer, badRecords);
            kafka.stopBrokers();
            Thread.sleep(30_000);
            kafka.startBrokers();

            // The catalog gone while the fourth phase's traces are decided and written.
            sendWhole(producer, phase(random, traces, CHAOS_TRACES_PER_PHASE, RATE, rateInForce), startNanos);
            sendBadRecord(producer, badRecords);
            catalog.stop();
            Thread.sleep(60_000);
            catalog.start();
            // Everything so far decided and committed at the first rate before the savepoint.
            int keptSoFar = keptSpans(traces, rateInForce).size();
            waitUntil(() -> committedRows(spans) >= keptSoFar, "the first four phases committed", job);

            // Mid-trace: the roots are sent, their children come after the restart, which decides
            // them with the new policy file.
            waitUntilRunning(job);
            List<Trace> fifth = phase(random, traces, CHAOS_TRACES_PER_PHASE, WIDER_RATE, rateInForce);
            sendRoots(producer, fifth, startNanos);
            String savepoint =
                    stopWithSavepoint(job, temp.resolve("savepoints").toUri().toString());
            cluster.startTaskManager();
            job = submit(after, 4, savepoint);
            sendRest(producer, fifth, startNanos);
            sendBadRecord(producer, badRecords);

            List<Trace> sixth = phase(random, traces, CHAOS_TRACES_PER_PHASE, WIDER_RATE, rateInForce);
            sendRoots(producer, sixth, startNanos);
            waitUntilRunning(job);
            cluster.startTaskManager();
            cluster.terminateTaskManager(3).get(1, TimeUnit.MINUTES);
            sendRest(producer, sixth, startNanos);
            sendBadRecord(producer, badRecords);

            drainAndCheck(after, job, traces, rateInForce);
            assertThat(cluster.getExecutionGraph(job).get().getAllExecutionVertices())
                    .as("the restarted job failed over after the last kill")
                    .allSatisfy(vertex -> assertThat(
                                    vertex.getCurrentExecutionAttempt().getAttemptNumber())
                            .isPositive());
            cluster.cancelJob(job).get(1, TimeUnit.MINUTES);
        }
        Set<String> deadLetters = new HashSet<>();
        JobTestSupport.records(kafka.bootstrapServers(), "otlp_spans_dlq", badRecords.size())
                .forEach(letter -> deadLetters.add(new String(letter.value(), StandardCharsets.UTF_8)));
        assertThat(deadLetters).as("every bad record in the dead-letter topic").containsAll(badRecords);
    }

    /**
     * Waits until every kept span, summary and metric is committed, gives anything written twice
     * the time to arrive, then reads all back through Iceberg and checks each table exactly.
     */
    private void drainAndCheck(TailSamplingConf conf, JobID job, List<Trace> traces, Map<String, Double> rateInForce)
            throws Exception {
        Set<String> expected = keptSpans(traces, rateInForce);
        Table spans = conf.catalog.loadTable("spans");
        // Not failing here on a timeout: the checks below say what is missing or doubled.
        await(() -> committedRows(spans) >= expected.size(), job);
        Thread.sleep(5_000);
        long keptTraces = expected.size() / 3;
        await(() -> committedRows(conf.catalog.loadTable("trace_summaries")) >= keptTraces, job);
        Map<String, Long> produced = Map.of(
                "frontend", (long) traces.size(), "checkout", (long) traces.size(), "payment", (long) traces.size());
        WarehouseSql sql = WarehouseSql.open(conf.catalog);
        await(() -> metricsPerService(sql).equals(produced), job);

        List<String> rows = sql.query("SELECT trace_id, span_id FROM spans").stream()
                .map(r -> r.getField("trace_id") + "/" + r.getField("span_id"))
                .toList();
        assertThat(rows).as("no span twice").doesNotHaveDuplicates();
        Set<String> missing = new HashSet<>(expected);
        missing.removeAll(rows);
        Set<String> extra = new HashSet<>(rows);
        extra.removeAll(expected);
        assertThat(missing)
                .as("kept spans not written: %s", describe(missing, traces, rateInForce))
                .isEmpty();
        assertThat(extra)
                .as("spans written but not kept: %s", describe(extra, traces, rateInForce))
                .isEmpty();
        assertThat(traces.stream().filter(trace -> trace.failed() || trace.slow()))
                .as("the workload has error and slow traces")
                .isNotEmpty()
                .allSatisfy(trace -> assertThat(expected).contains(trace.traceId() + "/0000000000000003"));
        List<String> summaries = sql.query("SELECT trace_id FROM trace_summaries").stream()
                .map(r -> (String) r.getField("trace_id"))
                .toList();
        assertThat(summaries).doesNotHaveDuplicates().hasSize((int) keptTraces);
        assertThat(metricsPerService(sql)).isEqualTo(produced);
        assertEachCheckpointCommittedOnce(conf);
    }

    /**
     * A run with a higher representative rate and a longer decision wait after each savepoint: traces
     * decided before the first keep at the first rate, all later ones at the second.
     */
    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void savepointsMidTraceAndRestartsAtOtherParallelismsWithAWiderPolicyKeepEachTraceOnce() throws Exception {
        startKafka(1);
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
            List<Trace> first = phase(random, traces, TRACES_PER_PHASE, RATE, rateInForce);
            sendWhole(producer, first, startNanos);
            long firstKept =
                    3 * first.stream().filter(trace -> trace.keptAt(RATE)).count();
            waitUntil(() -> committedRows(spans) == firstKept, "the first traces decided and committed", job);

            // Mid-trace: the roots are sent, their children will come after the restart.
            List<Trace> second = phase(random, traces, TRACES_PER_PHASE, WIDER_RATE, rateInForce);
            sendRoots(producer, second, startNanos);
            String savepoint = stopWithSavepoint(job, savepoints);
            job = submit(after, 4, savepoint);
            sendRest(producer, second, startNanos);

            List<Trace> third = phase(random, traces, TRACES_PER_PHASE, WIDER_RATE, rateInForce);
            sendRoots(producer, third, startNanos);
            savepoint = stopWithSavepoint(job, savepoints);
            job = submit(after, 1, savepoint);
            sendRest(producer, third, startNanos);
        }
        drainAndCheck(after, job, traces, rateInForce);
        cluster.cancelJob(job).get(1, TimeUnit.MINUTES);
    }

    /** trace id / span id of every span of the traces kept at the rate in force for each. */
    private static Set<String> keptSpans(List<Trace> traces, Map<String, Double> rateInForce) {
        Set<String> kept = new HashSet<>();
        for (Trace trace : traces) {
            if (trace.keptAt(rateInForce.get(trace.traceId()))) {
                trace.spanIds().forEach(span -> kept.add(trace.traceId() + "/" + span));
            }
        }
        return kept;
    }

    /** How many spans, and the first traces among them with their place in the run, kind and rates. */
    private static String describe(Set<String> spans, List<Trace> traces, Map<String, Double> rateInForce) {
        StringBuilder out = new StringBuilder(spans.size() + " spans");
        Set<String> ids = new TreeSet<>();
        spans.forEach(span -> ids.add(span.substring(0, span.indexOf('/'))));
        for (String id : ids.stream().limit(8).toList()) {
            for (int i = 0; i < traces.size(); i++) {
                Trace trace = traces.get(i);
                if (trace.traceId().equals(id)) {
                    out.append(String.format(
                            "; trace #%d %s failed=%s slow=%s rate=%s kept@%.1f=%s kept@%.1f=%s",
                            i,
                            id,
                            trace.failed(),
                            trace.slow(),
                            rateInForce.get(id),
                            RATE,
                            trace.keptAt(RATE),
                            WIDER_RATE,
                            trace.keptAt(WIDER_RATE)));
                }
            }
        }
        return out.toString();
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

    /** The job on the REST catalog, with its policies and decision wait from {@code policies}. */
    private TailSamplingConf restConf(RestCatalogServer catalog, Path policies) {
        return TailSamplingConf.fromMap(Map.of(
                "kafka.bootstrap-servers", kafka.bootstrapServers(),
                "iceberg.catalog-type", "rest",
                "iceberg.catalog.uri", catalog.uri(),
                "state.dir", temp.resolve("checkpoints").toUri().toString(),
                "sampling.policies", policies.toString(),
                "metrics.delay", "1s",
                "checkpoint.interval", "500ms"));
    }

    /** A policy file: errors, slow traces, then a representative share of the rest, decided after {@code wait}. */
    private Path policyFile(String name, double rate, String wait) throws Exception {
        Path file = temp.resolve(name);
        Files.writeString(
                file,
                String.join(
                        "\n",
                        "tail_sampling:",
                        "  decision_wait: " + wait,
                        "  policies:",
                        "    - { name: errors, type: status_code, status_code: { status_codes: [ERROR] } }",
                        "    - { name: slow, type: latency, latency: { threshold_ms: 1000 } }",
                        "    - { name: representative, type: representative,",
                        "        representative: { sampling_percentage: " + rate * 100 + " } }",
                        ""));
        return file;
    }

    /** Every span of {@code traces}: roots, then the rest on other partitions. */
    private static void sendWhole(KafkaProducer<byte[], byte[]> producer, List<Trace> traces, long startNanos)
            throws Exception {
        sendRoots(producer, traces, startNanos);
        sendRest(producer, traces, startNanos);
    }

    /** A record that is not OTLP at all, on the partitions in turn; the job must dead-letter it. */
    private static void sendBadRecord(KafkaProducer<byte[], byte[]> producer, List<String> sent) throws Exception {
        String value = "not OTLP, bad record " + sent.size();
        producer.send(new ProducerRecord<>(
                        "otlp_spans", sent.size() % PARTITIONS, null, value.getBytes(StandardCharsets.UTF_8)))
                .get();
        sent.add(value);
    }

    /** Stops the job with a savepoint once all its tasks run (a savepoint needs them all). */
    private String stopWithSavepoint(JobID job, String directory) throws Exception {
        waitUntilRunning(job);
        return cluster.stopWithSavepoint(job, directory, false, SavepointFormatType.CANONICAL)
                .get(2, TimeUnit.MINUTES);
    }

    /** Waits until every task of the job runs, as after a failover or a catalog outage. */
    private void waitUntilRunning(JobID job) throws Exception {
        waitUntil(
                () -> {
                    try {
                        // An initializing job has a graph without vertices: not running yet.
                        var vertices = cluster.getExecutionGraph(job).get().getAllExecutionVertices();
                        boolean running = cluster.getJobStatus(job).get() == JobStatus.RUNNING
                                && vertices.iterator().hasNext();
                        for (var vertex : vertices) {
                            running &= vertex.getExecutionState() == ExecutionState.RUNNING;
                        }
                        return running;
                    } catch (Exception e) {
                        return false;
                    }
                },
                "every task running",
                job);
    }

    /** Submits the job at {@code parallelism}, from {@code savepoint} if one is given. */
    private JobID submit(TailSamplingConf conf, int parallelism, String savepoint) throws Exception {
        Configuration flink = TailSamplingJob.flinkConfiguration(conf);
        flink.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        // Enough attempts to outlast a minute without the catalog: each restart fails until it is back.
        flink.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 1_000);
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
            assertThat(commits)
                    .as(name + " snapshots")
                    .isNotEmpty()
                    .doesNotHaveDuplicates()
                    .noneMatch(commit -> commit.contains("null"));
        }
    }

    private static Map<String, Long> metricsPerService(WarehouseSql sql) {
        Map<String, Long> counts = new HashMap<>();
        try {
            for (Row row : sql.query("SELECT service_name, SUM(request_count) AS requests FROM service_metrics"
                    + " GROUP BY service_name")) {
                counts.put((String) row.getField("service_name"), (Long) row.getField("requests"));
            }
        } catch (Exception e) {
            return Map.of();
        }
        return counts;
    }

    /** {@code count} new traces, one in ten an error, one in ten slow, decided at {@code rate}. */
    private static List<Trace> phase(
            Random random, List<Trace> all, int count, double rate, Map<String, Double> rateInForce) {
        List<Trace> phase = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int kind = random.nextInt(10);
            Trace trace =
                    new Trace(String.format("%016x%016x", random.nextLong(), random.nextLong()), kind == 0, kind == 1);
            phase.add(trace);
            rateInForce.put(trace.traceId(), rate);
        }
        all.addAll(phase);
        return phase;
    }

    private static Span.Builder span(Trace trace, int index, long startNanos) {
        return Span.newBuilder()
                .setTraceId(id(trace.traceId()))
                .setSpanId(id(trace.spanIds().get(index)))
                .setParentSpanId(
                        index == 0
                                ? com.google.protobuf.ByteString.EMPTY
                                : id(trace.spanIds().get(index - 1)))
                .setName("op" + index)
                .setKind(Span.SpanKind.SPAN_KIND_SERVER)
                .setStartTimeUnixNano(startNanos + index * 1_000_000L)
                .setEndTimeUnixNano(startNanos + (index == 0 && trace.slow() ? 1_500 : 100 - index) * 1_000_000L);
    }

    /** The roots, ten traces a record, over the partitions in turn. */
    private static void sendRoots(KafkaProducer<byte[], byte[]> producer, List<Trace> traces, long startNanos)
            throws Exception {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (int from = 0; from < traces.size(); from += TRACES_PER_RECORD) {
            List<Span.Builder> roots = new ArrayList<>();
            for (Trace trace : traces.subList(from, from + TRACES_PER_RECORD)) {
                roots.add(span(trace, 0, startNanos));
            }
            sent.add(producer.send(new ProducerRecord<>(
                    "otlp_spans",
                    (from / TRACES_PER_RECORD) % PARTITIONS,
                    null,
                    request(resourceSpans("frontend", roots.toArray(new Span.Builder[0])))
                            .toByteArray())));
        }
        acknowledged(producer, sent);
    }

    /**
     * Waits until the brokers have every record of a batch. Sent together, not one by one: a
     * phase's records must reach the job well within one decision wait, or its first traces would
     * be decided before their last spans came.
     */
    private static void acknowledged(KafkaProducer<byte[], byte[]> producer, List<Future<RecordMetadata>> sent)
            throws Exception {
        producer.flush();
        for (Future<RecordMetadata> record : sent) {
            record.get();
        }
    }

    /** Child and grandchild, in one record per ten traces, on another partition than their roots. */
    private static void sendRest(KafkaProducer<byte[], byte[]> producer, List<Trace> traces, long startNanos)
            throws Exception {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (int from = 0; from < traces.size(); from += TRACES_PER_RECORD) {
            List<Span.Builder> checkout = new ArrayList<>();
            List<Span.Builder> payment = new ArrayList<>();
            for (Trace trace : traces.subList(from, from + TRACES_PER_RECORD)) {
                checkout.add(span(trace, 1, startNanos));
                Span.Builder charge = span(trace, 2, startNanos);
                payment.add(trace.failed() ? error(charge) : charge);
            }
            sent.add(producer.send(new ProducerRecord<>(
                    "otlp_spans",
                    (from / TRACES_PER_RECORD + 1) % PARTITIONS,
                    null,
                    request(
                                    resourceSpans("checkout", checkout.toArray(new Span.Builder[0])),
                                    resourceSpans("payment", payment.toArray(new Span.Builder[0])))
                            .toByteArray())));
        }
        acknowledged(producer, sent);
    }

    private void waitUntil(BooleanSupplier done, String what, JobID job) throws Exception {
        JobTestSupport.waitUntil(done, what, () -> cluster.getJobStatus(job).get());
    }

    /** Whether {@code done} came true within 2 minutes; fails at once if the job ends meanwhile. */
    private boolean await(BooleanSupplier done, JobID job) throws Exception {
        return JobTestSupport.await(
                done, Duration.ofMinutes(2), () -> cluster.getJobStatus(job).get());
    }
}

package dev.tailsampling.jobs.bench;

import dev.tailsampling.jobs.TailSamplingConf;
import dev.tailsampling.jobs.TailSamplingJob;
import dev.tailsampling.local.cluster.EmbeddedKafka;
import dev.tailsampling.local.cluster.ProgressReporter;
import dev.tailsampling.sampling.Span;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.iceberg.Table;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Spans per second through tail sampling on RocksDB, Kafka to decision, for the job's own path and
 * for the session-window sampler most people write first, and the whole job end to end (Kafka to
 * the Iceberg commit, with checkpoints), alternating in one run on one broker. Kafka to decision,
 * the clock runs from the first span decoded to the last trace decided, less the decision wait;
 * end to end, to the commit that holds the last kept span.
 *
 * <p>Options: {@code --spans} (2000000), {@code --runs} (3), {@code --warmup} (0: runs first, not
 * counted, to let the JIT compile the job's code), {@code --parallelism} (2, or a list such as
 * 1,2: each variant at each, in one run), {@code
 * --timer-service} (ROCKSDB, Flink's default for the RocksDB backend; or HEAP), {@code
 * --traces-per-request} (10), {@code --only} (only the variants whose name contains this, or one of its comma-separated parts),
 * {@code --compare} (Flink settings such as {@code
 * state.backend.rocksdb.compression.per.level=NO_COMPRESSION;taskmanager.memory.managed.size=512m}:
 * each variant runs again with them, in turn, to measure a setting against the job's own).
 */
public final class ThroughputBenchmark {
    private static final Duration DECISION_WAIT = Duration.ofMillis(500);
    private static final String END_TO_END = "end to end: Iceberg, checkpoints 10 s";
    private static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(10);
    private static String timerService;
    /** Flink settings of the variants compared ({@code --compare}), none for the job's own. */
    private static Map<String, String> settings = Map.of();

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int tracesPerRequest = Integer.parseInt(options.getOrDefault("traces-per-request", "10"));
        int requests = Integer.parseInt(options.getOrDefault("spans", "2000000"))
                / (Workload.SPANS_PER_TRACE * tracesPerRequest);
        int runs = Integer.parseInt(options.getOrDefault("runs", "3"));
        int warmup = Integer.parseInt(options.getOrDefault("warmup", "0"));
        List<Integer> parallelisms = Arrays.stream(
                        options.getOrDefault("parallelism", "2").split(","))
                .map(Integer::parseInt)
                .toList();
        int partitions = parallelisms.stream().mapToInt(Integer::intValue).max().orElseThrow();
        timerService = options.getOrDefault("timer-service", "ROCKSDB");
        long spans = (long) requests * tracesPerRequest * Workload.SPANS_PER_TRACE;
        long traces = (long) requests * tracesPerRequest;

        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopic("otlp_spans", partitions, Map.of());
            long bytes = fill(kafka, requests, tracesPerRequest);
            System.out.printf(
                    "Workload: %,d spans in %,d OTLP requests (%,d bytes, %.0f bytes a span), %d partitions,"
                            + " parallelism %s, RocksDB with %s timers%n",
                    spans, requests, bytes, (double) bytes / spans, partitions, parallelisms, timerService);

            Map<String, BiFunction<TailSamplingJob, StreamExecutionEnvironment, DataStream<Span>>> variants =
                    new LinkedHashMap<>();
            String only = options.get("only");
            variants.put(
                    "session windows, full decode first",
                    (job, env) -> SessionWindowSampler.keptSpans(
                            job.records(env), job.conf().policy(), DECISION_WAIT));
            variants.put("stage: decode only", Stages::decodeOnly);
            variants.put("stage: decode + keyBy", Stages::decodeAndKeyBy);
            variants.put("tail-sampler (the job)", (job, env) -> {
                TailSamplingJob.Outputs outputs = job.outputs(env);
                outputs.metrics().sinkTo(new DiscardingSink<>()).uid("metrics-discarded");
                return outputs.kept();
            });

            // Not a stream to discard: the whole job, measured to its last commit (measureEndToEnd).
            variants.put(END_TO_END, null);

            if (only != null) {
                List<String> wanted = List.of(only.split(","));
                variants.keySet().removeIf(name -> wanted.stream().noneMatch(name::contains));
            }
            Map<String, String> compared = settings(options.get("compare"));
            List<Map<String, String>> settingsToRun =
                    compared.isEmpty() ? List.of(Map.of()) : List.of(Map.of(), compared);
            Map<String, List<Double>> results = new LinkedHashMap<>();
            int measured = 0;
            for (int run = 1 - warmup; run <= runs; run++) {
                for (int parallelism : parallelisms) {
                    for (var variant : variants.entrySet()) {
                        for (Map<String, String> each : settingsToRun) {
                            settings = each;
                            String groupId = "run-" + run + "-" + measured++;
                            double rate = variant.getValue() == null
                                    ? measureEndToEnd(kafka, groupId, parallelism, spans, traces)
                                    : measure(kafka, variant.getValue(), groupId, parallelism, spans, traces);
                            String name = variant.getKey()
                                    + (parallelisms.size() == 1 ? "" : ", p" + parallelism)
                                    + (each.isEmpty() ? "" : ", compared settings");
                            if (run < 1) {
                                System.out.printf("  warm-up  %-42s %,10.0f spans/s%n", name, rate);
                                continue;
                            }
                            results.computeIfAbsent(name, k -> new ArrayList<>())
                                    .add(rate);
                            System.out.printf("  run %d  %-42s %,10.0f spans/s%n", run, name, rate);
                        }
                    }
                }
            }
            if (!compared.isEmpty()) {
                System.out.println("Compared settings: " + compared);
            }
            System.out.println();
            double baseline = 0;
            for (var result : results.entrySet()) {
                double median = median(result.getValue());
                if (baseline == 0) {
                    baseline = median;
                }
                System.out.printf(
                        "median  %-42s %,10.0f spans/s  (%.2fx)%n", result.getKey(), median, median / baseline);
            }
        }
        System.exit(0);
    }

    /** {@code key=value} pairs separated by semicolons. */
    private static Map<String, String> settings(String pairs) {
        Map<String, String> parsed = new LinkedHashMap<>();
        if (pairs != null) {
            for (String pair : pairs.split(";")) {
                int equals = pair.indexOf('=');
                if (equals <= 0) {
                    throw new IllegalArgumentException("--compare takes key=value pairs separated by ';', not " + pair);
                }
                parsed.put(
                        pair.substring(0, equals).trim(),
                        pair.substring(equals + 1).trim());
            }
        }
        return parsed;
    }

    private static long fill(EmbeddedKafka kafka, int requests, int tracesPerRequest) throws Exception {
        Workload workload = new Workload(1, tracesPerRequest);
        long bytes = 0;
        try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
            for (int i = 0; i < requests; i++) {
                byte[] request = workload.nextRequest();
                bytes += request.length;
                producer.send(new ProducerRecord<>("otlp_spans", request));
            }
            producer.flush();
        }
        return bytes;
    }

    private static double measure(
            EmbeddedKafka kafka,
            BiFunction<TailSamplingJob, StreamExecutionEnvironment, DataStream<Span>> variant,
            String groupId,
            int parallelism,
            long spans,
            long traces)
            throws Exception {
        // No checkpoint during a measurement, for either variant.
        TailSamplingConf conf = conf(kafka, groupId, "checkpoint.interval", "1h");
        StreamExecutionEnvironment env = environment(conf, parallelism);
        TailSamplingJob job = new TailSamplingJob(conf);
        variant.apply(job, env).sinkTo(new DiscardingSink<>()).uid("discard");
        JobClient client = env.executeAsync(groupId);

        waitUntil(() -> ProgressReporter.total("spansDecoded") > 0, Duration.ofMinutes(2), client);
        long start = System.nanoTime();
        waitUntil(() -> ProgressReporter.total("tracesDecided") >= traces, Duration.ofMinutes(10), client);
        double seconds = (System.nanoTime() - start) / 1e9 - DECISION_WAIT.toMillis() / 1e3;
        stop(client);
        return spans / seconds;
    }

    /**
     * The whole job as deployed: its four tables in a Hadoop catalog, dead letters and statistics to
     * Kafka, RocksDB with incremental checkpoints every 10 s. The clock runs from the first span
     * decoded to the commit of the snapshot that holds every kept span, so it includes the decision
     * wait and the wait for that checkpoint. Prints the checkpoints' count, last duration and size.
     */
    private static double measureEndToEnd(EmbeddedKafka kafka, String groupId, int parallelism, long spans, long traces)
            throws Exception {
        Path folder = Files.createTempDirectory("throughput-" + groupId);
        TailSamplingConf conf = conf(
                kafka,
                groupId,
                "checkpoint.interval",
                CHECKPOINT_INTERVAL.toSeconds() + "s",
                "state.dir",
                folder.resolve("checkpoints").toUri().toString(),
                "iceberg.warehouse",
                folder.resolve("warehouse").toString());
        StreamExecutionEnvironment env = environment(conf, parallelism);
        JobClient client = new TailSamplingJob(conf).start(env);

        waitUntil(() -> ProgressReporter.total("spansDecoded") > 0, Duration.ofMinutes(2), client);
        long start = System.currentTimeMillis();
        waitUntil(() -> ProgressReporter.total("tracesDecided") >= traces, Duration.ofMinutes(10), client);
        double toDecision = (System.currentTimeMillis() - start) / 1e3 - DECISION_WAIT.toMillis() / 1e3;
        long kept = ProgressReporter.total("spansKept");
        Table table = conf.catalog.loadTable("spans");
        waitUntil(() -> rows(table) >= kept, Duration.ofMinutes(2), client);
        double seconds = (table.currentSnapshot().timestampMillis() - start) / 1e3;
        System.out.printf(
                "        Kafka to decision %,.0f spans/s with checkpoints; %d checkpoints, the last %,d ms and %,d bytes;"
                        + " %,d spans kept; decision latency p50 %,.0f ms, p99 %,.0f ms (wait %,d ms)%n",
                spans / toDecision,
                ProgressReporter.gaugeTotal("numberOfCompletedCheckpoints"),
                ProgressReporter.gaugeTotal("lastCheckpointDuration"),
                ProgressReporter.gaugeTotal("lastCheckpointSize"),
                kept,
                ProgressReporter.histogramQuantile("decisionLatencyMillis", 0.5),
                ProgressReporter.histogramQuantile("decisionLatencyMillis", 0.99),
                DECISION_WAIT.toMillis());
        stop(client);
        return spans / seconds;
    }

    private static void stop(JobClient client) throws Exception {
        client.cancel().get(1, TimeUnit.MINUTES);
        // The next run must not count this run's metrics: wait until its tasks unregistered them.
        waitUntil(() -> ProgressReporter.total("tracesDecided") == 0, Duration.ofMinutes(1), null);
    }

    private static long rows(Table table) {
        table.refresh();
        return table.currentSnapshot() == null
                ? 0
                : Long.parseLong(table.currentSnapshot().summary().get("total-records"));
    }

    /** The job's parameters for one measurement: its own consumer group, the short decision wait, and {@code more}. */
    private static TailSamplingConf conf(EmbeddedKafka kafka, String groupId, String... more) {
        Map<String, String> params = new HashMap<>(Map.of(
                "kafka.bootstrap-servers",
                kafka.bootstrapServers(),
                "kafka.group-id",
                groupId,
                "sampling.decision-wait",
                DECISION_WAIT.toMillis() + "ms"));
        for (int i = 0; i + 1 < more.length; i += 2) {
            params.put(more[i], more[i + 1]);
        }
        return TailSamplingConf.fromMap(params);
    }

    private static StreamExecutionEnvironment environment(TailSamplingConf conf, int parallelism) {
        Configuration flink = localConfiguration(conf);
        flink.setString("state.backend.rocksdb.timer-service.factory", timerService);
        settings.forEach(flink::setString);
        return StreamExecutionEnvironment.createLocalEnvironment(parallelism, flink);
    }

    /**
     * The job's own configuration for a cluster in this JVM: counters and gauges for {@link
     * ProgressReporter}, any free port for the web server, no restarts (a failure ends the run).
     */
    static Configuration localConfiguration(TailSamplingConf conf) {
        Configuration flink = TailSamplingJob.flinkConfiguration(conf);
        flink.setString("metrics.reporter.progress.factory.class", ProgressReporter.Factory.class.getName());
        flink.set(RestOptions.BIND_PORT, "0");
        flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        return flink;
    }

    /** A producer batching large requests, as a collector's exporter would. */
    static KafkaProducer<byte[], byte[]> producer(EmbeddedKafka kafka) {
        Properties props = kafka.clientProperties();
        props.put("linger.ms", "50");
        props.put("batch.size", Integer.toString(1 << 20));
        props.put("max.request.size", Integer.toString(8 << 20));
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * Polls {@code condition} every 5 ms until it holds, failing after {@code limit} or as soon as
     * {@code job} (if given) has ended.
     */
    static void waitUntil(BooleanSupplier condition, Duration limit, JobClient job) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (job != null && job.getJobStatus().get().isGloballyTerminalState()) {
                throw new IllegalStateException(
                        "the job ended: " + job.getJobStatus().get());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("benchmark timed out after " + limit);
            }
            Thread.sleep(5);
        }
    }

    private static double median(List<Double> values) {
        double[] sorted =
                values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted.length % 2 == 1
                ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    private ThroughputBenchmark() {}
}

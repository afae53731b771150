package dev.tailsampling.jobs.local;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.TimeUtils;

import dev.tailsampling.jobs.TailSamplingConf;
import dev.tailsampling.jobs.TailSamplingJob;
import dev.tailsampling.jobs.WarehouseSql;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

/**
 * Everything on one machine: a Kafka broker in this JVM, the shop load generator, the job in a
 * local Flink cluster with RocksDB state, and an Iceberg warehouse in a folder. Shows progress while
 * it runs, then drains, and ends with a summary and three analyst queries over the tables.
 *
 * <p>Its own options: {@code --duration} (60s), {@code --rate} traces per second (500),
 * {@code --error-rate} (0.02), {@code --slow-rate} (0.03), {@code --work-dir} (target/local-run:
 * the warehouse and checkpoints, both emptied first), {@code --parallelism} (2). Every other {@code --key value} is a job parameter.
 */
public final class LocalRun {
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);

    public static void main(String[] args) throws Exception {
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                fail("arguments come as --key value pairs; '" + args[i] + "' has no value");
            }
            params.put(args[i].substring(2), args[++i]);
        }
        Duration duration = TimeUtils.parseDuration(params.getOrDefault("duration", "60s"));
        double rate = Double.parseDouble(params.getOrDefault("rate", "500"));
        double errorRate = Double.parseDouble(params.getOrDefault("error-rate", "0.02"));
        double slowRate = Double.parseDouble(params.getOrDefault("slow-rate", "0.03"));
        int parallelism = Integer.parseInt(params.getOrDefault("parallelism", "2"));
        Path workDir = Paths.get(params.getOrDefault("work-dir", "target/local-run")).toAbsolutePath();
        for (String own : List.of("duration", "rate", "error-rate", "slow-rate", "parallelism", "work-dir")) {
            params.remove(own);
        }
        // A fresh warehouse each run, so the queries at the end describe this run alone.
        deleteRecursively(workDir.resolve("warehouse"));
        deleteRecursively(workDir.resolve("checkpoints"));
        Files.createDirectories(workDir);

        System.out.printf(
                "Local run: %s of shop traffic at %.0f traces/s (%.0f%% errors, %.0f%% slow)%n"
                        + "  warehouse in %s, Flink and Kafka logs in target/local-run/local-run.log%n",
                TimeUtils.formatWithHighestUnit(duration), rate, errorRate * 100, slowRate * 100, workDir);

        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            // Local defaults, each overridden by the same job parameter on the command line.
            Map<String, String> jobParams = new HashMap<>();
            jobParams.put("iceberg.warehouse", workDir.resolve("warehouse").toString());
            jobParams.put("sampling.decision-wait", "5s");
            jobParams.put("sampling.representative-rate", "0.05");
            jobParams.put("checkpoint.interval", "5s");
            jobParams.put("state.dir", workDir.resolve("checkpoints").toUri().toString());
            jobParams.putAll(params);
            jobParams.put("kafka.bootstrap-servers", kafka.bootstrapServers());
            TailSamplingConf conf = parse(jobParams);
            kafka.createTopic(conf.spansTopic, parallelism, Map.of());
            kafka.createTopic(conf.deadLetterTopic, 1, Map.of());
            System.out.printf(
                    "  Kafka broker at %s; decisions after %s of quiet; representative rate %s%n",
                    kafka.bootstrapServers(),
                    TimeUtils.formatWithHighestUnit(conf.decisionWait),
                    conf.representativeRate);

            Configuration flink = TailSamplingJob.flinkConfiguration(conf);
            flink.setString("metrics.reporter.progress.factory.class", ProgressReporter.Factory.class.getName());
            flink.set(RestOptions.BIND_PORT, "0");
            flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, flink);

            ShopLoadGenerator generator =
                    new ShopLoadGenerator(kafka.bootstrapServers(), conf.spansTopic, rate, errorRate, slowRate, 7);
            JobClient job = new TailSamplingJob(conf).start(env);
            generator.start();

            Progress progress = new Progress();
            long end = System.nanoTime() + duration.toNanos();
            while (System.nanoTime() < end) {
                Thread.sleep(PROGRESS_EVERY.toMillis());
                checkRunning(job);
                progress.print("running");
            }

            generator.close();
            long sent = generator.spansSent();
            System.out.printf(
                    "Load stopped: %,d traces, %,d spans sent (%,d send failures). Draining...%n",
                    generator.tracesStarted(), sent, generator.sendFailures());
            Duration drainLimit = conf.decisionWait.plus(conf.checkpointInterval).plus(Duration.ofSeconds(60));
            waitFor(job, progress, drainLimit, () ->
                    ProgressReporter.total("spansDecoded") >= sent
                            && ProgressReporter.total("tracesStarted") == ProgressReporter.total("tracesDecided"));
            Table spans = conf.catalog.catalogLoader().loadCatalog().loadTable(conf.catalog.tableId("spans"));
            waitFor(job, progress, conf.checkpointInterval.multipliedBy(3).plus(Duration.ofSeconds(30)), () ->
                    committedRecords(spans) == ProgressReporter.total("spansKept"));
            job.cancel().get(1, TimeUnit.MINUTES);

            long decided = ProgressReporter.total("tracesDecided");
            long kept = ProgressReporter.total("tracesKept");
            System.out.printf(
                    "%nSummary: %,d spans in, %,d dead letters; %,d traces decided, %,d kept (%.1f%%);"
                            + " %,d spans committed to %s.spans%n",
                    ProgressReporter.total("spansDecoded"), ProgressReporter.total("deadLetters"),
                    decided, kept, decided == 0 ? 0.0 : 100.0 * kept / decided,
                    committedRecords(spans), conf.catalog.namespace());
            AnalystQueries.run(WarehouseSql.open(conf.catalog));
        }
        // Kafka's and Flink's non-daemon threads can outlive close(); the run is over.
        System.exit(0);
    }

    private static TailSamplingConf parse(Map<String, String> jobParams) {
        try {
            return TailSamplingConf.fromMap(jobParams);
        } catch (IllegalArgumentException e) {
            fail(e.getMessage() + "\n(local-run options: --duration, --rate, --error-rate, --slow-rate,"
                    + " --parallelism, --work-dir)");
            return null;
        }
    }

    private static long committedRecords(Table table) {
        table.refresh();
        Snapshot snapshot = table.currentSnapshot();
        return snapshot == null ? 0 : Long.parseLong(snapshot.summary().getOrDefault("total-records", "0"));
    }

    private static void waitFor(JobClient job, Progress progress, Duration limit, BooleanSupplier done)
            throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        long nextPrint = System.nanoTime() + PROGRESS_EVERY.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("the job did not finish its work within " + TimeUtils.formatWithHighestUnit(limit)
                        + "; see the log in the work folder");
            }
            checkRunning(job);
            if (System.nanoTime() > nextPrint) {
                progress.print("draining");
                nextPrint += PROGRESS_EVERY.toNanos();
            }
            Thread.sleep(200);
        }
    }

    private static void checkRunning(JobClient job) throws Exception {
        JobStatus status = job.getJobStatus().get(30, TimeUnit.SECONDS);
        if (status.isGloballyTerminalState()) {
            try {
                job.getJobExecutionResult().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                Throwable cause = e;
                while (cause.getCause() != null) {
                    cause = cause.getCause();
                }
                fail("the job " + status + ": " + cause);
            }
            fail("the job ended early: " + status);
        }
    }

    private static void fail(String message) {
        System.err.println("error: " + message);
        System.exit(1);
    }

    private static void deleteRecursively(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(path);
            }
        }
    }

    /** The progress line: rates from the job's own counters, summed over subtasks. */
    private static final class Progress {
        private final long started = System.nanoTime();
        private long lastAt = started;
        private long lastSpans;

        void print(String phase) {
            long now = System.nanoTime();
            long spans = ProgressReporter.total("spansDecoded");
            long decided = ProgressReporter.total("tracesDecided");
            long kept = ProgressReporter.total("tracesKept");
            double perSecond = (spans - lastSpans) / ((now - lastAt) / 1e9);
            System.out.printf(
                    "[%4ds %s] spans in %,8.0f/s | traces buffered %,7d | decided %,8d | kept %5.1f%% | dead letters %d%n",
                    TimeUnit.NANOSECONDS.toSeconds(now - started), phase, perSecond,
                    ProgressReporter.total("tracesStarted") - decided, decided,
                    decided == 0 ? 0.0 : 100.0 * kept / decided, ProgressReporter.total("deadLetters"));
            lastAt = now;
            lastSpans = spans;
        }
    }
}

package dev.tailsampling.local;

import dev.tailsampling.iceberg.IcebergCatalogConf;
import dev.tailsampling.iceberg.ServiceMetricsTable;
import dev.tailsampling.iceberg.SpansTable;
import dev.tailsampling.iceberg.WarehouseSql;
import dev.tailsampling.jobs.BudgetControllerJob;
import dev.tailsampling.jobs.ControllerConf;
import dev.tailsampling.jobs.RatesCommand;
import dev.tailsampling.jobs.TailSamplingConf;
import dev.tailsampling.jobs.TailSamplingJob;
import dev.tailsampling.jobs.query.QueryServer;
import dev.tailsampling.jobs.query.TraceQueries;
import dev.tailsampling.local.cluster.EmbeddedKafka;
import dev.tailsampling.local.cluster.ProgressReporter;
import dev.tailsampling.sampling.head.HeadSampler;
import dev.tailsampling.sampling.rates.SamplingRate;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.TimeUtils;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

/**
 * Everything on one machine: a Kafka broker in this JVM, the shop load generator, the sampling job
 * and the budget controller in local Flink clusters with RocksDB state, and an Iceberg warehouse in
 * a folder. Shows progress and the published rates while it runs, then drains, and ends with a
 * summary and three analyst queries over the tables.
 *
 * <p>Its own options: {@code --duration} (60s, or the length of the traffic steps), {@code --rate}
 * traces per second (500), {@code --traffic-steps} (multiples of the rate over time, such as
 * 1x:30s,5x:60s,1x:30s), {@code --budget} kept spans per second for the controller (2500),
 * {@code --controller-interval} (20s), {@code --error-rate} (0.02), {@code --slow-rate} (0.03),
 * {@code --fallback-rate} (0.0005: requests that payment charges through a second provider),
 * {@code --work-dir} (target/local-run: the warehouse and checkpoints, both emptied first),
 * {@code --parallelism} (2), {@code --head-rules} (a rules file whose {@code head_sampling} block the
 * shop's SDKs sample by; none: they keep every trace), {@code --serve-for} (0s: how long to serve
 * Jaeger's query API over the tables after the run). Every other {@code --key value} is a sampling
 * job parameter.
 */
public final class LocalRun {
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);
    private static final int JAEGER_QUERY_PORT = 16686;

    public static void main(String[] args) throws Exception {
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                fail("arguments come as --key value pairs; '" + args[i] + "' has no value");
            }
            params.put(args[i].substring(2), args[++i]);
        }
        TrafficSteps steps = TrafficSteps.constant();
        if (params.containsKey("traffic-steps")) {
            try {
                steps = TrafficSteps.parse(params.get("traffic-steps"));
            } catch (IllegalArgumentException e) {
                fail(e.getMessage());
            }
        }
        Duration duration = params.containsKey("traffic-steps") && !params.containsKey("duration")
                ? steps.total()
                : TimeUtils.parseDuration(params.getOrDefault("duration", "60s"));
        double rate = Double.parseDouble(params.getOrDefault("rate", "500"));
        String budget = params.getOrDefault("budget", "2500");
        String controllerInterval = params.getOrDefault("controller-interval", "20s");
        double errorRate = Double.parseDouble(params.getOrDefault("error-rate", "0.02"));
        double slowRate = Double.parseDouble(params.getOrDefault("slow-rate", "0.03"));
        double fallbackRate = Double.parseDouble(params.getOrDefault("fallback-rate", "0.0005"));
        int parallelism = Integer.parseInt(params.getOrDefault("parallelism", "2"));
        Duration serveFor = TimeUtils.parseDuration(params.getOrDefault("serve-for", "0s"));
        Path workDir =
                Paths.get(params.getOrDefault("work-dir", "target/local-run")).toAbsolutePath();
        Sampler headSampler = Sampler.alwaysOn();
        if (params.containsKey("head-rules")) {
            try {
                headSampler = HeadSampler.fromFile(Paths.get(params.get("head-rules")));
            } catch (IllegalArgumentException e) {
                fail("--head-rules: " + e.getMessage());
            }
        }
        for (String own : List.of(
                "duration",
                "rate",
                "traffic-steps",
                "budget",
                "controller-interval",
                "error-rate",
                "slow-rate",
                "fallback-rate",
                "parallelism",
                "work-dir",
                "head-rules",
                "serve-for")) {
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
            if (!params.containsKey("sampling.policies")) {
                // A policy file replaces the built-in policies, this one's rate among them.
                jobParams.put("sampling.representative-rate", "0.05");
            }
            jobParams.put("sampling.stats-window", "10s");
            jobParams.put("metrics.delay", "2s");
            jobParams.put("checkpoint.interval", "5s");
            jobParams.put("state.dir", workDir.resolve("checkpoints").toUri().toString());
            jobParams.putAll(params);
            jobParams.put("kafka.bootstrap-servers", kafka.bootstrapServers());
            TailSamplingConf conf = parse(jobParams);
            kafka.createTopic(conf.spansTopic, parallelism, Map.of());
            kafka.createTopic(conf.deadLetterTopic, 1, Map.of());
            kafka.createTopic(conf.ratesTopic, 1, Map.of("cleanup.policy", "compact"));
            kafka.createTopic(conf.statsTopic, 1, Map.of());
            ControllerConf controllerConf = controllerConf(conf, budget, controllerInterval, workDir);
            System.out.printf(
                    "  Kafka broker at %s; decisions after %s of quiet; representative rate %s until the"
                            + " controller sets one%n"
                            + "  budget controller: %s spans/s, a step every %s, rates move at most %.0f%% a step%n",
                    kafka.bootstrapServers(),
                    TimeUtils.formatWithHighestUnit(conf.bufferLimits.decisionWait()),
                    conf.representativeRate,
                    budget,
                    controllerInterval,
                    controllerConf.settings.maxChange * 100);

            Configuration flink = TailSamplingJob.flinkConfiguration(conf);
            flink.setString("metrics.reporter.progress.factory.class", ProgressReporter.Factory.class.getName());
            flink.set(RestOptions.BIND_PORT, "0");
            flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, flink);

            ShopLoadGenerator generator = new ShopLoadGenerator(
                    kafka.bootstrapServers(),
                    conf.spansTopic,
                    rate,
                    steps,
                    errorRate,
                    slowRate,
                    fallbackRate,
                    headSampler,
                    7);
            JobClient job = new TailSamplingJob(conf).start(env);
            Configuration controllerFlink = BudgetControllerJob.flinkConfiguration(controllerConf);
            controllerFlink.set(RestOptions.BIND_PORT, "0");
            controllerFlink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            JobClient controller = new BudgetControllerJob(controllerConf)
                    .start(StreamExecutionEnvironment.createLocalEnvironment(1, controllerFlink));
            generator.start();

            Progress progress = new Progress(conf.kafkaClientProperties(), conf.ratesTopic, steps);
            long end = System.nanoTime() + duration.toNanos();
            while (System.nanoTime() < end) {
                Thread.sleep(PROGRESS_EVERY.toMillis());
                checkRunning(job);
                checkRunning(controller);
                progress.print("running");
            }
            controller.cancel().get(1, TimeUnit.MINUTES);

            generator.close();
            long sent = generator.spansSent();
            System.out.printf(
                    "Load stopped: %,d traces, %,d spans sent (%,d send failures). Draining...%n",
                    generator.tracesStarted(), sent, generator.sendFailures());
            Duration drainLimit = conf.bufferLimits
                    .decisionWait()
                    .plus(conf.checkpointInterval)
                    .plus(Duration.ofSeconds(60));
            waitFor(
                    job,
                    progress,
                    drainLimit,
                    () -> ProgressReporter.total("spansDecoded") >= sent
                            && ProgressReporter.total("tracesStarted") == ProgressReporter.total("tracesDecided"));
            Table spans = conf.catalog.loadTable(SpansTable.NAME);
            waitFor(
                    job,
                    progress,
                    conf.checkpointInterval.multipliedBy(3).plus(Duration.ofSeconds(30)),
                    () -> committedRecords(spans) == ProgressReporter.total("spansKept"));
            // A minute's service_metrics rows are written once the minute has ended: up to a minute more.
            Table metrics = conf.catalog.loadTable(ServiceMetricsTable.NAME);
            waitFor(
                    job,
                    progress,
                    Duration.ofSeconds(60)
                            .plus(conf.metricsDelay)
                            .plus(conf.checkpointInterval.multipliedBy(3))
                            .plus(Duration.ofSeconds(30)),
                    () -> ProgressReporter.total("metricSpansCounted") >= ProgressReporter.total("spansDecoded")
                            && committedRecords(metrics) == ProgressReporter.total("metricRowsWritten"));
            job.cancel().get(1, TimeUnit.MINUTES);

            long decided = ProgressReporter.total("tracesDecided");
            long kept = ProgressReporter.total("tracesKept");
            System.out.printf(
                    "%nSummary: %,d spans in, %,d dead letters; %,d traces decided, %,d kept (%.1f%%);"
                            + " %,d spans committed to %s.spans; %,d traces started in the shop: %.2f%% of"
                            + " them kept in the end%n",
                    ProgressReporter.total("spansDecoded"),
                    ProgressReporter.total("deadLetters"),
                    decided,
                    kept,
                    decided == 0 ? 0.0 : 100.0 * kept / decided,
                    committedRecords(spans),
                    conf.catalog.namespace(),
                    generator.tracesStarted(),
                    generator.tracesStarted() == 0 ? 0.0 : 100.0 * kept / generator.tracesStarted());
            String errorTrace = AnalystQueries.run(WarehouseSql.open(conf.catalog));
            if (errorTrace != null) {
                showInQueryApi(conf.catalog, errorTrace, serveFor);
            }
        }
        // Kafka's and Flink's non-daemon threads can outlive close(); the run is over.
        System.exit(0);
    }

    /**
     * Starts Jaeger's query API over the run's tables (port 16686, or a free one if that is taken),
     * asks it for the kept error trace and prints the trace's URL, then serves for {@code serveFor}
     * (none by default: the run ends, and {@code tail-sampling serve} serves the tables again).
     */
    private static void showInQueryApi(IcebergCatalogConf catalog, String traceId, Duration serveFor) throws Exception {
        TraceQueries queries = new TraceQueries(catalog, Duration.ofDays(7), Clock.systemUTC());
        QueryServer server;
        try {
            server = QueryServer.start(queries, settings(JAEGER_QUERY_PORT));
        } catch (IOException portTaken) {
            server = QueryServer.start(queries, settings(0));
        }
        try (QueryServer serving = server) {
            URI trace = serving.uri().resolve("api/v3/traces/" + traceId);
            HttpResponse<String> answer = HttpClient.newHttpClient()
                    .send(HttpRequest.newBuilder(trace).build(), HttpResponse.BodyHandlers.ofString());
            System.out.printf(
                    "%nThe same trace from Jaeger's query API (HTTP %d, %,d bytes of OTLP/JSON):%n  %s%n",
                    answer.statusCode(), answer.body().length(), trace);
            if (serveFor.isZero()) {
                System.out.printf(
                        "(served while the run lasts; --serve-for 10m keeps it up, or:"
                                + " jobs/target/tail-sampling/bin/tail-sampling serve --iceberg.warehouse %s)%n",
                        catalog.properties().get("warehouse"));
                return;
            }
            System.out.printf(
                    "Serving for %s: Jaeger's UI or Grafana's Jaeger data source at %s%n",
                    TimeUtils.formatWithHighestUnit(serveFor), serving.uri());
            Thread.sleep(serveFor.toMillis());
        }
    }

    private static QueryServer.Settings settings(int port) {
        return new QueryServer.Settings("localhost", port, Duration.ofSeconds(30), 20_000);
    }

    /** The controller on the same broker and warehouse, with a step short enough to watch. */
    private static ControllerConf controllerConf(TailSamplingConf conf, String budget, String interval, Path workDir) {
        Map<String, String> params = new HashMap<>();
        params.put("kafka.bootstrap-servers", conf.bootstrapServers);
        params.put("kafka.topic.rates", conf.ratesTopic);
        params.put("kafka.topic.stats", conf.statsTopic);
        params.put(
                "iceberg.warehouse",
                conf.catalog
                        .properties()
                        .getOrDefault("warehouse", workDir.resolve("warehouse").toString()));
        params.put("budget.spans-per-second", budget);
        params.put("controller.interval", interval);
        params.put("controller.initial-rate", Double.toString(conf.representativeRate));
        params.put("checkpoint.interval", "5s");
        params.put("state.dir", workDir.resolve("checkpoints").toUri().toString());
        try {
            return ControllerConf.fromMap(params);
        } catch (IllegalArgumentException e) {
            fail(e.getMessage() + "\n(local-run options: --budget, --controller-interval)");
            return null;
        }
    }

    private static TailSamplingConf parse(Map<String, String> jobParams) {
        try {
            return TailSamplingConf.fromMap(jobParams);
        } catch (IllegalArgumentException e) {
            fail(
                    e.getMessage() + "\n(local-run options: --duration, --rate, --traffic-steps, --budget,"
                            + " --controller-interval, --error-rate, --slow-rate, --fallback-rate, --parallelism, --work-dir, --head-rules, --serve-for)");
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

    /** The progress line: rates from the job's own counters, summed over subtasks, and the published rates. */
    private static final class Progress {
        private final long started = System.nanoTime();
        private final Properties kafka;
        private final String ratesTopic;
        private final TrafficSteps steps;
        private long lastAt = started;
        private long lastSpans;
        private long lastKept;
        private long lastThrottled;

        Progress(Properties kafka, String ratesTopic, TrafficSteps steps) {
            this.kafka = kafka;
            this.ratesTopic = ratesTopic;
            this.steps = steps;
        }

        void print(String phase) {
            long now = System.nanoTime();
            long spans = ProgressReporter.total("spansDecoded");
            long decided = ProgressReporter.total("tracesDecided");
            long kept = ProgressReporter.total("tracesKept");
            long keptSpans = ProgressReporter.total("spansKept");
            long throttled = ProgressReporter.total("spansThrottled");
            double seconds = (now - lastAt) / 1e9;
            System.out.printf(
                    "[%4ds %s %sx] spans in %,7.0f/s | kept %,6.0f spans/s (guard thinned %,6.0f/s) | buffered %,6d"
                            + " traces | decided %,8d | kept %5.1f%% | dead letters %d | rates %s%n",
                    TimeUnit.NANOSECONDS.toSeconds(now - started),
                    phase,
                    steps.multipleAt(Duration.ofNanos(now - started)),
                    (spans - lastSpans) / seconds,
                    (keptSpans - lastKept) / seconds,
                    (throttled - lastThrottled) / seconds,
                    ProgressReporter.total("tracesStarted") - decided,
                    decided,
                    decided == 0 ? 0.0 : 100.0 * kept / decided,
                    ProgressReporter.total("deadLetters"),
                    rates());
            lastAt = now;
            lastSpans = spans;
            lastKept = keptSpans;
            lastThrottled = throttled;
        }

        /** The rates in force, as {@code service=rate(reason)}, the default with its pre-sampling rate. */
        private String rates() {
            StringBuilder line = new StringBuilder();
            for (SamplingRate rate : RatesCommand.current(kafka, ratesTopic).values()) {
                line.append(line.length() == 0 ? "" : " ")
                        .append(rate.service)
                        .append('=')
                        .append(String.format("%.3f", rate.rate));
                if (rate.isDefault()) {
                    line.append(String.format(" presample=%.3f", rate.presampleRate));
                    if (rate.budgetPerSecond > 0) {
                        line.append(String.format(" budget=%.0f %s/s", rate.budgetPerSecond, rate.budgetUnit));
                    }
                }
                line.append('(').append(rate.reason).append(')');
            }
            return line.length() == 0 ? "none yet" : line.toString();
        }
    }
}

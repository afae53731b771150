package dev.tailsampling.jobs;

import static dev.tailsampling.operators.otlp.OtlpTestData.error;
import static dev.tailsampling.operators.otlp.OtlpTestData.request;
import static dev.tailsampling.operators.otlp.OtlpTestData.resourceSpans;
import static dev.tailsampling.operators.otlp.OtlpTestData.span;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.local.cluster.EmbeddedKafka;
import dev.tailsampling.local.cluster.ProgressReporter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** What the jobs' integration tests share: the cluster, starting the job, reading its tables and topics. */
final class JobTestSupport {
    private JobTestSupport() {}

    /** One task manager with two slots whose counters {@link ProgressReporter#total} reads. */
    /**
     * What a command printed on the broker at {@code bootstrapServers}, after checking that it
     * exited with {@code status}.
     */
    static String runCommand(Command.Runner command, String bootstrapServers, int status, String... args)
            throws Exception {
        String[] all = Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--kafka.bootstrap-servers";
        all[args.length + 1] = bootstrapServers;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = command.run(all, new PrintStream(out), new PrintStream(err));
        assertThat(exit).as("exit status; stderr: %s", err).isEqualTo(status);
        return out.toString(StandardCharsets.UTF_8);
    }

    static MiniClusterExtension miniCluster() {
        return miniCluster(new Configuration());
    }

    /** As {@link #miniCluster()}, with {@code config}'s settings too (another metric reporter, say). */
    static MiniClusterExtension miniCluster(Configuration config) {
        config.setString("metrics.reporter.progress.factory.class", ProgressReporter.Factory.class.getName());
        config.setString("metrics.reporter.progress.interval", "1 s");
        return new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                .setNumberTaskManagers(1)
                .setNumberSlotsPerTaskManager(2)
                .setConfiguration(config)
                .build());
    }

    /** A broker in this JVM with the jobs' topics; {@code otlp_spans} has {@code spanPartitions} partitions. */
    static EmbeddedKafka kafkaWithJobTopics(int spanPartitions) throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start();
        kafka.createTopic("otlp_spans", spanPartitions, Map.of());
        kafka.createTopic("otlp_spans_dlq", 1, Map.of());
        kafka.createTopic("sampling_rates", 1, Map.of("cleanup.policy", "compact"));
        kafka.createTopic("sampling_stats", 1, Map.of());
        return kafka;
    }

    /** A port nothing listens on now, for a server a test starts. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits until a {@code serve} process, its output going to {@code output}, says it serves;
     * fails, with that output, if it ends or takes longer than {@code limit}.
     */
    static void awaitServing(Process serve, Path output, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!Files.readString(output).contains("serving Jaeger's query API at")) {
            assertThat(serve.isAlive())
                    .as("serve runs: %s", Files.readString(output))
                    .isTrue();
            assertThat(System.nanoTime()).as("serving within %s", limit).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    /** Stops a process as a user would, with a signal, and checks that it ends. */
    static void stop(Process process) throws InterruptedException {
        process.destroy();
        assertThat(process.waitFor(30, TimeUnit.SECONDS))
                .as("stops on a signal")
                .isTrue();
    }

    /** Starts the job with restarts off (a failure ends it), after {@code settings} had their say. */
    static JobClient start(TailSamplingConf conf, int parallelism, Consumer<Configuration> settings) throws Exception {
        Configuration flink = TailSamplingJob.flinkConfiguration(conf);
        flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        settings.accept(flink);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        env.setParallelism(parallelism);
        return new TailSamplingJob(conf).start(env);
    }

    /**
     * Waits up to three minutes for {@code done}, failing at once should the job stop: a job that
     * failed would otherwise show as a time-out.
     */
    static void waitUntil(BooleanSupplier done, String what, JobClient job) throws Exception {
        waitUntil(done, what, () -> job.getJobStatus().get());
    }

    /** As {@link #waitUntil(BooleanSupplier, String, JobClient)}, for a job known by its status alone. */
    static void waitUntil(BooleanSupplier done, String what, Callable<JobStatus> status) throws Exception {
        if (!await(done, Duration.ofMinutes(3), status)) {
            throw new AssertionError("timed out waiting for " + what);
        }
    }

    /** Whether {@code done} came true within {@code limit}; fails at once should the job stop. */
    static boolean await(BooleanSupplier done, Duration limit, Callable<JobStatus> status) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!done.getAsBoolean()) {
            JobStatus now = status.call();
            assertThat(now.isGloballyTerminalState())
                    .as("the job ended, status " + now)
                    .isFalse();
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(200);
        }
        return true;
    }

    /** Rows in the table's current snapshot. */
    static long committedRows(Table table) {
        table.refresh();
        Snapshot snapshot = table.currentSnapshot();
        return snapshot == null ? 0 : Long.parseLong(snapshot.summary().getOrDefault("total-records", "0"));
    }

    /**
     * The partitions (hour, service, ...) the job's commits to {@code table} wrote to, checking that
     * no commit wrote two files to one partition: the writers receive rows by partition.
     */
    static Set<String> partitionsWrittenOncePerCommit(Table table) {
        table.refresh();
        Set<String> all = new HashSet<>();
        for (Snapshot snapshot : table.snapshots()) {
            List<String> partitions = new ArrayList<>();
            snapshot.addedDataFiles(table.io())
                    .forEach(file ->
                            partitions.add(table.specs().get(file.specId()).partitionToPath(file.partition())));
            assertThat(partitions)
                    .as("files of commit %d to %s", snapshot.snapshotId(), table.name())
                    .doesNotHaveDuplicates();
            all.addAll(partitions);
        }
        return all;
    }

    /** The topic's records from its start, until {@code expected} are read or 30 s have passed. */
    static List<ConsumerRecord<byte[], byte[]>> records(String bootstrapServers, String topic, int expected) {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", bootstrapServers);
        props.put("group.id", "check-" + topic);
        props.put("auto.offset.reset", "earliest");
        List<ConsumerRecord<byte[], byte[]>> found = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (found.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(found::add);
            }
        }
        return found;
    }

    /** The value of a record's header, or null. */
    static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** The files under {@code root} whose bytes hold {@code text}; there must be files to search. */
    static List<Path> filesContaining(Path root, String text) throws IOException {
        byte[] needle = text.getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> files = Files.walk(root)) {
            List<Path> all = files.filter(Files::isRegularFile).toList();
            assertThat(all).as("files under " + root).isNotEmpty();
            return all.stream().filter(file -> contains(read(file), needle)).toList();
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean contains(byte[] bytes, byte[] needle) {
        for (int i = 0; i + needle.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + needle.length, needle, 0, needle.length)) {
                return true;
            }
        }
        return false;
    }

    /** One record of an error trace in checkout: a root and, below it, a failed charge. */
    static byte[] errorTrace(String traceId, String rootSpanId, String childSpanId) {
        return request(resourceSpans(
                        "checkout",
                        span(traceId, rootSpanId, "", "POST /checkout", 0, 20),
                        error(span(traceId, childSpanId, rootSpanId, "charge", 5, 10))))
                .toByteArray();
    }

    /** One record of a plain one-span trace in checkout. */
    static byte[] plainTrace(String traceId, String spanId) {
        return request(resourceSpans("checkout", span(traceId, spanId, "", "GET /cart", 0, 5)))
                .toByteArray();
    }

    /**
     * Parameters under which the job keeps errors only and decides, counts and commits within
     * seconds, on the fixtures' spans; {@code more} adds {@code key, value} pairs.
     */
    static TailSamplingConf withinSeconds(Path warehouse, String... more) {
        Map<String, String> params = new HashMap<>(Map.of(
                "iceberg.warehouse", warehouse.toString(),
                "sampling.decision-wait", "1s",
                "sampling.representative-rate", "0",
                "sampling.stats-window", "1s",
                "metrics.delay", "1s",
                "checkpoint.interval", "500ms",
                // The fixtures' spans ran on a fixed day, however long ago that is now.
                "decode.max-span-age", "36500d"));
        for (int i = 0; i + 1 < more.length; i += 2) {
            params.put(more[i], more[i + 1]);
        }
        return TailSamplingConf.fromMap(params);
    }
}

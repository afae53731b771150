package dev.tailsampling.jobs.bench;

import static dev.tailsampling.jobs.bench.ThroughputBenchmark.waitUntil;

import dev.tailsampling.jobs.TailSamplingConf;
import dev.tailsampling.jobs.TailSamplingJob;
import dev.tailsampling.local.cluster.EmbeddedKafka;
import dev.tailsampling.local.cluster.ProgressReporter;
import dev.tailsampling.sampling.Span;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What the job does when its state outgrows memory and when traffic outgrows the job, on RocksDB
 * with the workload of the performance model, one broker in this JVM.
 *
 * <p><b>State larger than memory</b>: the whole workload is in Kafka before the job starts and the
 * decision wait outlasts reading it, so every trace is buffered at once; run once with RocksDB
 * given little managed memory and once with ample. Prints the buffered spans and their OTLP bytes,
 * RocksDB's live data at that peak, the read rate, and whether both runs kept the same spans.
 *
 * <p><b>A 10x burst</b>: traffic at a steady rate, ten times that rate for a while, then the steady
 * rate again, against a job with 10 s checkpoints. Prints the lag (spans produced less spans read)
 * over time, the heap and state peaks, whether the job ran without a failure throughout, and the
 * time from the burst's end until the lag was back under a second of traffic.
 *
 * <p>Options: {@code --spans} (1000000), {@code --managed-small} (32m), {@code --managed-ample}
 * (1g), {@code --rate} (20000 spans/s), {@code --burst-seconds} (20), {@code --parallelism} (2),
 * {@code --only} (state or burst).
 */
public final class StateBenchmark {
    /** Kept spans of the current run, as trace id / span id. */
    private static final Set<String> KEPT = ConcurrentHashMap.newKeySet();

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int parallelism = Integer.parseInt(options.getOrDefault("parallelism", "2"));
        String only = options.getOrDefault("only", "");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            if (!only.equals("burst")) {
                stateLargerThanMemory(
                        kafka,
                        parallelism,
                        Integer.parseInt(options.getOrDefault("spans", "1000000")),
                        MemorySize.parse(options.getOrDefault("managed-small", "32m")),
                        MemorySize.parse(options.getOrDefault("managed-ample", "1g")));
            }
            if (!only.equals("state")) {
                burst(
                        kafka,
                        parallelism,
                        Integer.parseInt(options.getOrDefault("rate", "20000")),
                        Integer.parseInt(options.getOrDefault("burst-seconds", "20")));
            }
        }
        System.exit(0);
    }

    private static void stateLargerThanMemory(
            EmbeddedKafka kafka, int parallelism, int spans, MemorySize small, MemorySize ample) throws Exception {
        kafka.createTopic("state_spans", parallelism, Map.of());
        int requests = spans / (Workload.SPANS_PER_TRACE * 10);
        long bytes;
        try (KafkaProducer<byte[], byte[]> producer = ThroughputBenchmark.producer(kafka)) {
            Workload workload = new Workload(3, 10);
            bytes = 0;
            for (int i = 0; i < requests; i++) {
                byte[] request = workload.nextRequest();
                bytes += request.length;
                producer.send(new ProducerRecord<>("state_spans", request));
            }
        }
        long total = (long) requests * 10 * Workload.SPANS_PER_TRACE;
        System.out.printf(
                "State: %,d spans (%,d OTLP bytes) buffered at once, parallelism %d%n", total, bytes, parallelism);
        Set<String> keptSmall = stateRun(kafka, "state-small", parallelism, small, total, bytes);
        Set<String> keptAmple = stateRun(kafka, "state-ample", parallelism, ample, total, bytes);
        System.out.printf(
                "  kept spans: %,d with %s managed memory, %,d with %s; the same spans: %s%n",
                keptSmall.size(), small, keptAmple.size(), ample, keptSmall.equals(keptAmple));
    }

    private static Set<String> stateRun(
            EmbeddedKafka kafka, String group, int parallelism, MemorySize managed, long spans, long bytes)
            throws Exception {
        KEPT.clear();
        long traces = spans / Workload.SPANS_PER_TRACE;
        TailSamplingConf conf = TailSamplingConf.fromMap(Map.of(
                "kafka.bootstrap-servers", kafka.bootstrapServers(),
                "kafka.topic.spans", "state_spans",
                "kafka.group-id", group,
                // Longer than reading the whole topic: every trace is buffered before the first decision.
                "sampling.decision-wait", "60s",
                "sampling.max-trace-duration", "5m",
                // Flink may take the first checkpoint anywhere within the interval: to files, as a cluster would.
                "checkpoint.interval", "1h",
                "state.dir", Files.createTempDirectory(group).toUri().toString()));
        Configuration flink = configuration(conf, managed);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, flink);
        TailSamplingJob.Outputs outputs = new TailSamplingJob(conf).outputs(env);
        outputs.metrics().sinkTo(new DiscardingSink<>()).uid("metrics-discarded");
        outputs.kept().sinkTo(new KeptSpans()).uid("kept-collected");
        JobClient client = env.executeAsync(group);

        waitUntil(() -> ProgressReporter.total("spansDecoded") > 0, Duration.ofMinutes(2), client);
        long start = System.nanoTime();
        waitUntil(() -> ProgressReporter.total("spansDecoded") >= spans, Duration.ofMinutes(10), client);
        double readSeconds = (System.nanoTime() - start) / 1e9;
        long buffered = ProgressReporter.total("tracesStarted") - ProgressReporter.total("tracesDecided");
        // Let RocksDB settle its memtables and estimates before reading them.
        Thread.sleep(3_000);
        long heapAtPeak = heapAfterGc();
        long live = ProgressReporter.gaugeTotal("estimate-live-data-size");
        long memtables = ProgressReporter.gaugeTotal("size-all-mem-tables");
        long sst = ProgressReporter.gaugeTotal("total-sst-files-size");
        System.out.printf(
                "  %-26s read %,8.0f spans/s; buffered %,d of %,d traces at the peak; RocksDB live data"
                        + " %,d bytes (%.2fx the OTLP bytes, %.1fx the managed memory), SST files %,d, memtables %,d%n",
                managed + " managed memory:",
                spans / readSeconds,
                buffered,
                traces,
                live,
                (double) live / bytes,
                (double) live / managed.getBytes(),
                sst,
                memtables);
        waitUntil(() -> ProgressReporter.total("tracesDecided") >= traces, Duration.ofMinutes(10), client);
        Thread.sleep(3_000);
        // Nothing buffered now, every decision remembered for the decision-cache TTL.
        long heapDecided = heapAfterGc();
        long liveDecided = ProgressReporter.gaugeTotal("estimate-live-data-size");
        long bufferedSpans = buffered * Workload.SPANS_PER_TRACE;
        System.out.printf(
                "  %-26s heap %,d MB at the peak, %,d MB once all were decided: %,.1f heap bytes a buffered span;"
                        + " RocksDB live data once decided %,d bytes: %,.1f bytes a remembered decision%n",
                "",
                heapAtPeak >> 20,
                heapDecided >> 20,
                (double) (heapAtPeak - heapDecided) / bufferedSpans,
                liveDecided,
                (double) liveDecided / traces);
        client.cancel().get(1, TimeUnit.MINUTES);
        waitUntil(() -> ProgressReporter.total("tracesDecided") == 0, Duration.ofMinutes(1), null);
        return Set.copyOf(KEPT);
    }

    /** The heap in use after a full collection: what the process holds, not what it has yet to collect. */
    private static long heapAfterGc() throws InterruptedException {
        System.gc();
        Thread.sleep(500);
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void burst(EmbeddedKafka kafka, int parallelism, int rate, int burstSeconds) throws Exception {
        kafka.createTopic("burst_spans", parallelism, Map.of());
        Path checkpoints = Files.createTempDirectory("burst-checkpoints");
        TailSamplingConf conf = TailSamplingConf.fromMap(Map.of(
                "kafka.bootstrap-servers", kafka.bootstrapServers(),
                "kafka.topic.spans", "burst_spans",
                "kafka.group-id", "burst",
                "sampling.decision-wait", "5s",
                "state.dir", checkpoints.toUri().toString(),
                "checkpoint.interval", "10s"));
        Configuration flink = configuration(conf, MemorySize.parse("256m"));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, flink);
        TailSamplingJob.Outputs outputs = new TailSamplingJob(conf).outputs(env);
        outputs.metrics().sinkTo(new DiscardingSink<>()).uid("metrics-discarded");
        outputs.kept().sinkTo(new DiscardingSink<>()).uid("kept-discarded");
        JobClient client = env.executeAsync("burst");
        System.out.printf(
                "Burst: %,d spans/s, then %,d spans/s for %d s, then %,d spans/s; parallelism %d,"
                        + " 10 s checkpoints%n",
                rate, 10 * rate, burstSeconds, rate, parallelism);

        AtomicLong produced = new AtomicLong();
        long steadyMillis = 20_000;
        long burstEnd = steadyMillis + burstSeconds * 1_000L;
        long runMillis = burstEnd + 180_000;
        Thread producerThread = new Thread(() -> produce(kafka, rate, steadyMillis, burstEnd, runMillis, produced));
        producerThread.start();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long begin = System.currentTimeMillis();
        long heapPeak = 0;
        long statePeak = 0;
        long lagPeak = 0;
        long recoveredAt = -1;
        long nextPrint = 0;
        while (System.currentTimeMillis() - begin < runMillis && recoveredAt < 0) {
            Thread.sleep(200);
            long elapsed = System.currentTimeMillis() - begin;
            long lag = produced.get() - ProgressReporter.total("spansDecoded");
            heapPeak = Math.max(heapPeak, memory.getHeapMemoryUsage().getUsed());
            statePeak = Math.max(statePeak, ProgressReporter.gaugeTotal("estimate-live-data-size"));
            lagPeak = Math.max(lagPeak, lag);
            if (elapsed >= nextPrint) {
                System.out.printf(
                        "  t=%3d s  %-6s lag %,10d spans  heap %,6d MB  state %,6d MB%n",
                        elapsed / 1000,
                        elapsed < steadyMillis ? "steady" : elapsed < burstEnd ? "BURST" : "steady",
                        lag,
                        memory.getHeapMemoryUsage().getUsed() >> 20,
                        ProgressReporter.gaugeTotal("estimate-live-data-size") >> 20);
                nextPrint += 5_000;
            }
            if (elapsed > burstEnd && lag < rate) {
                recoveredAt = elapsed;
            }
            if (client.getJobStatus().get().isGloballyTerminalState()) {
                throw new IllegalStateException("the job failed during the burst: "
                        + client.getJobStatus().get());
            }
        }
        producerThread.interrupt();
        producerThread.join();
        boolean running = client.getJobStatus().get() == JobStatus.RUNNING;
        System.out.printf(
                "  lag peak %,d spans (%.1f s of steady traffic); heap peak %,d MB; state peak %,d MB;"
                        + " job running without a failure: %s; lag back under 1 s of traffic %s%n",
                lagPeak,
                (double) lagPeak / rate,
                heapPeak >> 20,
                statePeak >> 20,
                running,
                recoveredAt < 0 ? "not within 180 s" : (recoveredAt - burstEnd) / 1000.0 + " s after the burst");
        client.cancel().get(1, TimeUnit.MINUTES);
    }

    /** Sends at {@code rate} spans/s, ten times that between {@code burstFrom} and {@code burstTo} ms. */
    private static void produce(
            EmbeddedKafka kafka, int rate, long burstFrom, long burstTo, long until, AtomicLong produced) {
        Workload workload = new Workload(5, 10);
        int spansPerRequest = 10 * Workload.SPANS_PER_TRACE;
        try (KafkaProducer<byte[], byte[]> producer = ThroughputBenchmark.producer(kafka)) {
            long begin = System.currentTimeMillis();
            double due = 0;
            long last = begin;
            while (!Thread.currentThread().isInterrupted()) {
                long now = System.currentTimeMillis();
                long elapsed = now - begin;
                if (elapsed >= until) {
                    return;
                }
                double current = elapsed >= burstFrom && elapsed < burstTo ? 10.0 * rate : rate;
                due += current * (now - last) / 1000.0;
                last = now;
                while (due >= spansPerRequest) {
                    producer.send(new ProducerRecord<>("burst_spans", workload.nextRequest()));
                    produced.addAndGet(spansPerRequest);
                    due -= spansPerRequest;
                }
                Thread.sleep(5);
            }
        } catch (InterruptedException stopped) {
            Thread.currentThread().interrupt();
        }
    }

    /** The job's local configuration with RocksDB's size metrics on and {@code managed} memory per TaskManager. */
    private static Configuration configuration(TailSamplingConf conf, MemorySize managed) {
        Configuration flink = ThroughputBenchmark.localConfiguration(conf);
        flink.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, managed);
        flink.setString("state.backend.rocksdb.metrics.estimate-live-data-size", "true");
        flink.setString("state.backend.rocksdb.metrics.size-all-mem-tables", "true");
        flink.setString("state.backend.rocksdb.metrics.total-sst-files-size", "true");
        return flink;
    }

    /** Collects the kept spans of a run in this JVM, to compare two runs. */
    private static final class KeptSpans implements Sink<Span> {
        @Override
        public SinkWriter<Span> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(Span span, Context context) {
                    KEPT.add(span.traceId + "/" + span.spanId);
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }

    private StateBenchmark() {}
}

package dev.tailsampling.jobs.bench;

import static dev.tailsampling.operators.otlp.OtlpTestData.request;
import static dev.tailsampling.operators.otlp.OtlpTestData.resourceSpans;
import static dev.tailsampling.operators.otlp.OtlpTestData.span;

import dev.tailsampling.operators.SamplingRatesState;
import dev.tailsampling.operators.TailSamplerFunction;
import dev.tailsampling.operators.TraceFragment;
import dev.tailsampling.operators.decide.BufferLimits;
import dev.tailsampling.operators.otlp.CollectingOutput;
import dev.tailsampling.operators.otlp.DecodeLimits;
import dev.tailsampling.operators.otlp.OtlpDecoder;
import dev.tailsampling.sampling.PolicySet;
import dev.tailsampling.sampling.Span;
import dev.tailsampling.sampling.rates.SamplingRate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;

/**
 * What {@code --sampling.decision-wait-after-root} does to buffered traces, decision latency and
 * late spans: the tail-sampler operator itself (RocksDB state) on a simulated clock, so the figures
 * are the same on every machine.
 *
 * <p>The workload is what an SDK's batch exporter makes of a request through four services: each
 * service's span reaches Kafka at the next flush of its instance's exporter (every 5 s, the
 * OpenTelemetry SDK's default, at a phase of its own) plus up to a second in the collector tier.
 * The root ends last, but a child's batch may still be on its way when the root arrives; a wait
 * after the root shorter than that spread decides the trace without it. Every trace is kept (rate
 * 1), so every decision and every late span shows in the output.
 *
 * <p>Prints, per wait after the root: the mean traces buffered, the decision latency from the
 * trace's last span to its decision (p50, p99), the spans that came after their trace's decision,
 * and the traces that had one. Options: {@code --traces-per-second} (200), {@code --seconds}
 * (120), {@code --wait} (30s), {@code --after-root} (30s,10s,5s,2s), {@code --flush-interval}
 * (5s).
 */
public final class DecisionWaitBenchmark {
    private static final String[] SERVICES = {"frontend", "checkout", "payment", "inventory"};
    private static final int INSTANCES = 3;

    /** One span's arrival: when, and the fragment the decoder made of its record. */
    private record Arrival(long atMillis, TraceFragment fragment) {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int rate = Integer.parseInt(options.getOrDefault("traces-per-second", "200"));
        int seconds = Integer.parseInt(options.getOrDefault("seconds", "120"));
        long wait = millis(options.getOrDefault("wait", "30s"));
        long flush = millis(options.getOrDefault("flush-interval", "5s"));
        List<Arrival> arrivals = workload(rate, seconds, flush);
        System.out.printf(
                "%d traces, %d spans over %d s; decision wait %d s, exporters flushing every %d s%n",
                rate * seconds, arrivals.size(), seconds, wait / 1000, flush / 1000);
        System.out.printf(
                "%-16s %16s %14s %14s %12s %16s%n",
                "wait after root", "traces buffered", "latency p50", "latency p99", "late spans", "traces with late");
        for (String afterRoot :
                options.getOrDefault("after-root", "30s,10s,5s,2s").split(",")) {
            Result r = run(arrivals, wait, Math.min(wait, millis(afterRoot)), seconds * 1000L);
            System.out.printf(
                    "%-16s %16.0f %11.2f s %11.2f s %12d %16d%n",
                    afterRoot, r.meanBuffered, r.latencyP50 / 1000.0, r.latencyP99 / 1000.0, r.lateSpans, r.lateTraces);
        }
    }

    private record Result(double meanBuffered, long latencyP50, long latencyP99, int lateSpans, int lateTraces) {}

    private static Result run(List<Arrival> arrivals, long wait, long afterRoot, long sendingMillis) throws Exception {
        TailSamplerFunction sampler = new TailSamplerFunction(
                PolicySet.builtIn(Duration.ofHours(1), 1.0),
                null,
                new BufferLimits(
                        Duration.ofMillis(wait), Duration.ofMillis(afterRoot), Duration.ofMinutes(5), 10_000, 1L << 26),
                Duration.ofHours(1),
                Set.of());
        try (KeyedBroadcastOperatorTestHarness<String, TraceFragment, SamplingRate, Span> harness =
                new KeyedBroadcastOperatorTestHarness<>(
                        new CoBroadcastWithKeyedOperator<>(sampler, List.of(SamplingRatesState.DESCRIPTOR)),
                        f -> f.traceId,
                        Types.STRING,
                        128,
                        1,
                        0)) {
            harness.setStateBackend(new EmbeddedRocksDBStateBackend());
            harness.open();
            Map<String, Long> lastArrival = new HashMap<>();
            Map<String, Long> decidedAt = new HashMap<>();
            Set<String> lateTraces = new HashSet<>();
            List<Long> latencies = new ArrayList<>();
            int[] late = {0};
            long bufferedSum = 0;
            int bufferedSamples = 0;
            long nextSample = wait + 10_000;
            long end = arrivals.get(arrivals.size() - 1).atMillis + wait + 1_000;
            int next = 0;
            for (long now = 0; now <= end; now += 10) {
                harness.setProcessingTime(now);
                collect(harness, now, lastArrival, decidedAt, latencies, lateTraces, late, wait);
                while (next < arrivals.size() && arrivals.get(next).atMillis <= now) {
                    TraceFragment fragment = arrivals.get(next++).fragment;
                    if (!decidedAt.containsKey(fragment.traceId)) {
                        lastArrival.put(fragment.traceId, now);
                    }
                    harness.processElement(fragment, now);
                }
                collect(harness, now, lastArrival, decidedAt, latencies, lateTraces, late, wait);
                // Steady state only: after the first decisions, while traffic still comes.
                if (now >= nextSample && now < sendingMillis) {
                    bufferedSum += lastArrival.size() - decidedAt.size();
                    bufferedSamples++;
                    nextSample += 1_000;
                }
            }
            latencies.sort(Comparator.naturalOrder());
            return new Result(
                    bufferedSamples == 0 ? 0 : (double) bufferedSum / bufferedSamples,
                    latencies.get(latencies.size() / 2),
                    latencies.get((int) (latencies.size() * 0.99)),
                    late[0],
                    lateTraces.size());
        }
    }

    /**
     * Takes the spans the operator put out since the last call; the first of a trace marks its
     * decision. Latencies count from {@code warmUp} on: a subtask decides nothing before one whole
     * decision wait has passed since it started (a restored trace may still have spans on the way).
     */
    private static void collect(
            KeyedBroadcastOperatorTestHarness<String, TraceFragment, SamplingRate, Span> harness,
            long now,
            Map<String, Long> lastArrival,
            Map<String, Long> decidedAt,
            List<Long> latencies,
            Set<String> lateTraces,
            int[] late,
            long warmUp) {
        Object out;
        while ((out = harness.getOutput().poll()) != null) {
            if (!(out instanceof StreamRecord<?> record) || !(record.getValue() instanceof Span span)) {
                continue;
            }
            if ("late".equals(span.samplingTrigger)) {
                late[0]++;
                lateTraces.add(span.traceId);
            } else if (decidedAt.putIfAbsent(span.traceId, now) == null && lastArrival.get(span.traceId) >= warmUp) {
                latencies.add(now - lastArrival.get(span.traceId));
            }
        }
    }

    /**
     * The spans of {@code rate} requests a second for {@code seconds}, each service's span arriving
     * at its exporter's next flush after it ends, plus up to a second in the collectors, in arrival
     * order.
     */
    static List<Arrival> workload(int rate, int seconds, long flushMillis) {
        Random random = new Random(42);
        long[][] phase = new long[SERVICES.length][INSTANCES];
        for (long[] instances : phase) {
            Arrays.setAll(instances, i -> (long) (random.nextDouble() * flushMillis));
        }
        OtlpDecoder decoder = new OtlpDecoder(DecodeLimits.DEFAULTS.anyTime());
        List<Arrival> arrivals = new ArrayList<>();
        for (int trace = 0; trace < rate * seconds; trace++) {
            long start = trace * 1000L / rate;
            // Request durations: median 200 ms, a long tail (log-normal, capped at 10 s).
            long duration = Math.min(10_000, Math.max(5, Math.round(200 * Math.exp(random.nextGaussian()))));
            String traceId = String.format("%016x%016x", 0x7ace0000L + trace, random.nextLong());
            // frontend is the root over the whole request; the others nest inside it.
            double[][] window = {{0, 1}, {0.1, 0.9}, {0.3, 0.7}, {0.2, 0.5}};
            for (int s = 0; s < SERVICES.length; s++) {
                long spanStart = start + Math.round(window[s][0] * duration);
                long spanEnd = start + Math.round(window[s][1] * duration);
                long instancePhase = phase[s][random.nextInt(INSTANCES)];
                long flushAt = spanEnd + Math.floorMod(instancePhase - spanEnd, flushMillis);
                long arrival = flushAt + (long) (random.nextDouble() * 1_000);
                CollectingOutput decoded = new CollectingOutput();
                decoder.decode(
                        request(resourceSpans(
                                        SERVICES[s],
                                        span(
                                                traceId,
                                                String.format("%016x", s + 1),
                                                s == 0 ? "" : String.format("%016x", 1),
                                                SERVICES[s] + " op",
                                                spanStart,
                                                spanEnd - spanStart)))
                                .toByteArray(),
                        0,
                        decoded);
                arrivals.add(new Arrival(arrival, decoded.fragments.get(0)));
            }
        }
        arrivals.sort(Comparator.comparingLong(Arrival::atMillis));
        return arrivals;
    }

    private static long millis(String duration) {
        return org.apache.flink.util.TimeUtils.parseDuration(duration).toMillis();
    }
}

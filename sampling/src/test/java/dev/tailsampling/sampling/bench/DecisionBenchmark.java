package dev.tailsampling.sampling.bench;

import dev.tailsampling.sampling.Decision;
import dev.tailsampling.sampling.PolicyContext;
import dev.tailsampling.sampling.PolicySet;
import dev.tailsampling.sampling.Span;
import dev.tailsampling.sampling.TestTraces;
import dev.tailsampling.sampling.TraceView;
import dev.tailsampling.sampling.config.PolicyFile;
import dev.tailsampling.sampling.paths.PathSignature;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Decision cost of a 10-policy file on a 20-span trace (a root and its 19 calls) that no policy
 * keeps, so every policy looks at every span: the most a decision costs; and of the same file with
 * an {@code unusual_path} policy added, which builds the trace's path signature each time (the
 * trace's path is the usual one once it has warmed up). Reported per span. Spans are decoded
 * beforehand; their decoding is measured by the throughput harness, not here.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DecisionBenchmark {
    static final int SPANS = 20;

    static final String POLICIES = "policies:\n"
            + "  - {name: drop-health, type: drop, drop: {drop_sub_policy: [{name: health, type: string_attribute,"
            + " string_attribute: {key: url.path, values: [/health, /ready]}}]}}\n"
            + "  - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}\n"
            + "  - {name: slow, type: latency, latency: {threshold_ms: 2000}}\n"
            + "  - {name: big-orders, type: numeric_attribute, numeric_attribute: {key: order.total, min_value: 1000}}\n"
            + "  - {name: vip, type: string_attribute, string_attribute: {key: user.tier, values: [gold, platinum]}}\n"
            + "  - {name: admin, type: string_attribute, string_attribute: {key: url.path, values: ['^/api/admin'],"
            + " enabled_regex_matching: true}}\n"
            + "  - {name: forced, type: boolean_attribute, boolean_attribute: {key: app.force_sample, value: true}}\n"
            + "  - {name: huge, type: span_count, span_count: {min_spans: 500}}\n"
            + "  - {name: payments, type: critical_operations, critical_operations: {operations: [payment]}}\n"
            + "  - {name: representative, type: probabilistic, probabilistic: {sampling_percentage: 1}}\n";

    static final String WITH_UNUSUAL_PATH = POLICIES + "  - {name: unusual, type: unusual_path}\n";

    private PolicySet policies;
    private PolicySet withUnusualPath;
    private TraceView trace;

    @Setup
    public void setUp() {
        policies = PolicyFile.parse(POLICIES, "benchmark").policies;
        policies.open(PolicyContext.standalone());
        withUnusualPath = PolicyFile.parse(WITH_UNUSUAL_PATH, "benchmark").policies;
        withUnusualPath.open(PolicyContext.standalone());
        List<Span> spans = new ArrayList<>();
        for (int i = 0; i < SPANS; i++) {
            spans.add(TestTraces.span(
                    "checkout",
                    "op" + i,
                    20 + i,
                    "url.path",
                    "/cart/" + i,
                    "http.request.method",
                    "GET",
                    "user.tier",
                    "standard",
                    "order.total",
                    Integer.toString(10 * i),
                    "app.force_sample",
                    "false",
                    "net.peer.name",
                    "10.0.0." + i));
            spans.get(i).spanId = String.format("%016x", i + 1);
            spans.get(i).parentSpanId = i == 0 ? "" : String.format("%016x", 1);
        }
        // Randomness 0: below the 1 % threshold, so the representative sample does not keep it either.
        trace = TestTraces.of(TestTraces.traceIdWithRandomness(0), spans);
        for (int i = 0; i < 1000; i++) {
            withUnusualPath.evaluate(trace);
        }
        if (policies.evaluate(trace).keeps() || withUnusualPath.evaluate(trace).keeps()) {
            throw new IllegalStateException("the benchmark trace must be dropped");
        }
    }

    @Benchmark
    @OperationsPerInvocation(SPANS)
    public Decision decide() {
        return policies.evaluate(trace);
    }

    @Benchmark
    @OperationsPerInvocation(SPANS)
    public Decision decideWithUnusualPath() {
        return withUnusualPath.evaluate(trace);
    }

    /** The part of {@code unusual_path} that reads the spans: building the trace's signature. */
    @Benchmark
    @OperationsPerInvocation(SPANS)
    public long pathSignature() {
        return PathSignature.of(trace.spans()).hash();
    }
}

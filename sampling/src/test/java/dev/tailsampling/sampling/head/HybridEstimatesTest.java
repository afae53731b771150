package dev.tailsampling.sampling.head;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tailsampling.sampling.ConsistentProbability;
import dev.tailsampling.sampling.Decision;
import dev.tailsampling.sampling.PolicySet;
import dev.tailsampling.sampling.Span;
import dev.tailsampling.sampling.TraceSummary;
import dev.tailsampling.sampling.TraceView;
import dev.tailsampling.sampling.config.PolicyFile;
import dev.tailsampling.sampling.metrics.OperationMinute;
import dev.tailsampling.sampling.metrics.OperationSample;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The hybrid example end to end on a population with known truth: the head sampler of the
 * applications, the job's pre-sampling by the same threshold rule, and the tail policies, each
 * trace weighted by 1 / the probability the three stages composed into. The estimates are
 * Horvitz–Thompson sums; their standard errors come from the same weights.
 */
class HybridEstimatesTest {
    private static final Path HYBRID = Path.of("../examples/hybrid-sampling.yaml");
    private static final String[] SERVICES = {"frontend", "search", "checkout", "payment", "admin"};
    private static final double[] SHARES = {0.40, 0.30, 0.15, 0.10, 0.05};
    private static final double PRESAMPLE_RATE = 0.5;
    private static final int TRACES = 150_000;

    /** A sum of weights and the variance estimate of that sum. */
    private static final class Estimate {
        long truth;
        double sum;
        double variance;

        void add(double probability) {
            sum += 1 / probability;
            variance += (1 - probability) / (probability * probability);
        }

        void assertWithin(double standardErrors, String what) {
            double se = Math.sqrt(variance);
            assertThat(Math.abs(sum - truth))
                    .as("%s: estimate %.0f, truth %d, SE %.1f", what, sum, truth, se)
                    .isLessThanOrEqualTo(standardErrors * Math.max(se, 1));
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void estimatesPerServiceErrorsAndSlowRequestsAreWithinThreeStandardErrorsAndErrorsReachingTheTailAreKept(
            long seed) {
        // The service metrics count root spans as the decoder sees them: behind the head, before the job samples.
        OperationSample.Collector rootSpans = new OperationSample.Collector();
        Map<String, Estimate> requestsByService = new TreeMap<>();
        Sampler head = HeadSampler.fromFile(HYBRID);
        PolicySet tail = PolicyFile.load(HYBRID).policies;
        Random random = new Random(seed);
        Map<String, Estimate> perService = new TreeMap<>();
        Estimate errors = new Estimate();
        Estimate slow = new Estimate();
        long errorsAtTail = 0;
        long kept = 0;
        for (int i = 0; i < TRACES; i++) {
            String traceId = String.format("%016x%016x", random.nextLong(), random.nextLong());
            String service = pick(random);
            boolean admin = service.equals("admin");
            boolean error = random.nextDouble() < 0.03;
            boolean isSlow = random.nextDouble() < 0.05;
            long total = random.nextDouble() < 0.01 ? 1_000 + random.nextInt(5_000) : 10 + random.nextInt(200);
            String path = admin ? "/api/admin/users" : "/" + service;
            Estimate byService = perService.computeIfAbsent(service, s -> new Estimate());
            byService.truth++;
            errors.truth += error ? 1 : 0;
            slow.truth += isSlow ? 1 : 0;

            // Head: the application decides the root span as it starts.
            SamplingResult headResult = head.shouldSample(
                    Context.root(),
                    traceId,
                    "GET " + path,
                    SpanKind.SERVER,
                    Attributes.of(AttributeKey.stringKey("url.path"), path, AttributeKey.longKey("order.total"), total),
                    List.of());
            if (headResult.getDecision() != SamplingDecision.RECORD_AND_SAMPLE) {
                continue;
            }
            String traceState = "ot="
                    + headResult
                            .getUpdatedTraceState(io.opentelemetry.api.trace.TraceState.getDefault())
                            .get("ot");
            double headProbability = ConsistentProbability.head(traceState).probability();
            rootSpans.add(service, "GET", "SERVER", 0, 1_000_000L, error, headProbability);
            requestsByService.computeIfAbsent(service, s -> new Estimate()).add(headProbability);
            // Pre-sampling in the job, before keying: a share of the traces that reach it.
            if (!ConsistentProbability.isSampledAfterHead(traceId, PRESAMPLE_RATE, headProbability, false)) {
                continue;
            }
            TraceView trace = trace(traceId, service, path, total, error, isSlow, traceState, random);
            trace.summary().presampleRate = PRESAMPLE_RATE;
            Decision decision = tail.evaluate(trace);
            errorsAtTail += error ? 1 : 0;
            if (error) {
                assertThat(decision.keeps())
                        .as("an error trace that reaches the tail is kept")
                        .isTrue();
            }
            if (!decision.keeps()) {
                continue;
            }
            kept++;
            double probability = trace.summary().keptProbability(decision.probability());
            byService.add(probability);
            if (error) {
                errors.add(probability);
            }
            if (isSlow) {
                slow.add(probability);
            }
        }
        assertThat(errorsAtTail).isPositive();
        assertThat(kept).as("the hybrid keeps a few percent").isBetween(TRACES / 200L, TRACES / 10L);
        perService.forEach((service, estimate) -> estimate.assertWithin(3, "traces of " + service));
        errors.assertWithin(3, "error traces");
        slow.assertWithin(3, "slow traces");

        Map<String, OperationMinute> minutes = new TreeMap<>();
        for (OperationSample sample : rootSpans.drain()) {
            minutes.computeIfAbsent(sample.serviceName, s -> OperationMinute.startedBy(sample))
                    .add(sample);
        }
        requestsByService.forEach((service, estimate) -> {
            estimate.truth = perService.get(service).truth;
            assertThat(minutes.get(service).estimatedRequests).isCloseTo(estimate.sum, within(1e-6));
            estimate.assertWithin(3, "service_metrics requests of " + service);
        });
        assertThat(requestsByService).containsOnlyKeys(SERVICES);
    }

    @Test
    void theHeadProbabilityMultipliesTheStricterOfTheJobsStages() {
        TraceSummary summary = new TraceSummary();
        summary.headProbability = 0.1;
        summary.presampleRate = 0.5;
        assertThat(summary.keptProbability(1.0)).isCloseTo(0.05, within(1e-15));
        assertThat(summary.keptProbability(0.02)).isCloseTo(0.002, within(1e-15));
    }

    /** Of the traces a 10 % head kept, a job rate of 30 % keeps 30 %, and a lower rate a subset. */
    @Test
    void aJobRateIsAShareOfTheHeadSampledTracesAndTheKeptSetsNest() {
        Random random = new Random(3);
        int arrived = 0;
        int kept30 = 0;
        for (int i = 0; i < 400_000; i++) {
            String traceId = String.format("%016x%016x", random.nextLong(), random.nextLong());
            if (!ConsistentProbability.isSampled(traceId, 0.1)) {
                continue;
            }
            arrived++;
            TraceSummary summary = new TraceSummary();
            summary.headProbability = 0.1;
            TraceView trace = TraceView.of(traceId, summary, List::of);
            boolean at30 = trace.sampledAt(0.3);
            kept30 += at30 ? 1 : 0;
            if (trace.sampledAt(0.05)) {
                assertThat(at30).as("kept at 5 %% implies kept at 30 %%").isTrue();
            }
        }
        double se = Math.sqrt(arrived * 0.3 * 0.7);
        assertThat((double) kept30).isBetween(arrived * 0.3 - 4 * se, arrived * 0.3 + 4 * se);
    }

    private static String pick(Random random) {
        double u = random.nextDouble();
        for (int i = 0; i < SERVICES.length; i++) {
            u -= SHARES[i];
            if (u < 0) {
                return SERVICES[i];
            }
        }
        return SERVICES[SERVICES.length - 1];
    }

    /** A root and 2 to 6 children (one in two hundred traces has 45), as the job would buffer them. */
    private static TraceView trace(
            String traceId,
            String service,
            String path,
            long total,
            boolean error,
            boolean slow,
            String traceState,
            Random random) {
        int children = random.nextInt(200) == 0 ? 44 : 2 + random.nextInt(5);
        long start = 1_000_000_000L;
        long durationMs = slow ? 1_500 + random.nextInt(3_000) : 20 + random.nextInt(300);
        List<Span> spans = new ArrayList<>();
        TraceSummary summary = TraceSummary.firstSeenAt(0);
        for (int i = 0; i <= children; i++) {
            Span span = new Span();
            span.traceId = traceId;
            span.spanId = String.format("%016x", i + 1);
            span.parentSpanId = i == 0 ? "" : "0000000000000001";
            span.traceState = traceState;
            span.serviceName = service;
            span.operationName = i == 0 ? "GET " + path : "call " + i;
            span.startTimeUnixNano = start + i * 1_000L;
            span.endTimeUnixNano = start + (i == 0 ? durationMs * 1_000_000L : 1_000_000L);
            span.statusCode = error && i == children ? "ERROR" : "UNSET";
            span.error = error && i == children;
            span.attributes.put("url.path", path);
            span.attributes.put("order.total", Long.toString(total));
            spans.add(span);
            summary.addSpan(span);
            summary.byteCount += 300;
        }
        summary.addHead(ConsistentProbability.head(traceState).probability(), false);
        return TraceView.of(traceId, summary, () -> spans);
    }
}

package dev.tailsampling.sampling.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tailsampling.sampling.DecisionTrigger;
import dev.tailsampling.sampling.Span;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EdgeCallsTest {
    private static final long T0 = 1_767_225_600_000_000_000L;
    private static final long MS = 1_000_000L;

    private static Span span(String id, String parent, String service, String operation, long durationMs) {
        Span span = new Span();
        span.traceId = "0af7651916cd43dd8448eb211c80319c";
        span.spanId = id;
        span.parentSpanId = parent;
        span.serviceName = service;
        span.operationName = operation;
        span.startTimeUnixNano = T0;
        span.durationNs = durationMs * MS;
        span.endTimeUnixNano = T0 + span.durationNs;
        return span;
    }

    @Test
    void aCallIsASpanWhoseParentIsInTheTraceAndInAnotherService() {
        Span charge = span("c", "a", "payment", "charge", 30);
        charge.error = true;
        List<Span> trace = List.of(
                span("a", "", "frontend", "GET /checkout", 100),
                span("b", "a", "cart", "load", 10),
                charge,
                span("d", "c", "payment", "SELECT accounts", 5),
                span("e", "a", "cart", "load", 20),
                span("f", "missing", "ads", "pick", 7));
        trace.forEach(s -> s.markKept("representative", 0.25, DecisionTrigger.INACTIVITY, false));

        List<EdgeCalls> edges = EdgeCalls.of(trace);

        assertThat(edges)
                .extracting(e -> e.callerService + " " + e.callerOperation + " -> " + e.calleeService + " "
                        + e.calleeOperation + ": " + e.calls + " calls, " + e.errors + " errors, weight " + e.weight)
                .containsExactly(
                        "frontend GET /checkout -> cart load: 2 calls, 0 errors, weight 4.0",
                        "frontend GET /checkout -> payment charge: 1 calls, 1 errors, weight 4.0");
        assertThat(edges.get(0).durationsNs).containsExactly(10 * MS, 20 * MS);
        assertThat(edges.get(0).minuteMillis).isEqualTo(T0 / MS / 60_000 * 60_000);
    }

    /**
     * Traces with a random number of calls on two edges, failed ones kept for sure and the rest at
     * 10 %: the kept calls weighted by adjusted count estimate all calls within three standard
     * errors, and the failed calls exactly.
     */
    @Test
    void weightedKeptCallsEstimateAllCallsWithoutBias() {
        double probability = 0.1;
        Random random = new Random(5);
        Map<String, EdgeMinute> rows = new HashMap<>();
        Map<String, long[]> truth = new HashMap<>();
        Map<String, Double> variance = new HashMap<>();
        for (int t = 0; t < 20_000; t++) {
            List<Span> trace = new ArrayList<>();
            trace.add(span("root", "", "frontend", "GET /", 100));
            int carts = 1 + random.nextInt(3);
            int payments = random.nextInt(3);
            boolean failed = payments > 0 && random.nextInt(50) == 0;
            for (int i = 0; i < carts; i++) {
                trace.add(span("cart" + i, "root", "cart", "load", 1 + random.nextInt(20)));
            }
            for (int i = 0; i < payments; i++) {
                Span payment = span("pay" + i, "root", "payment", "charge", 10 + random.nextInt(50));
                payment.error = failed && i == 0;
                trace.add(payment);
            }
            count(truth, variance, "cart", carts, 0, failed, probability);
            count(truth, variance, "payment", payments, failed ? 1 : 0, failed, probability);
            boolean kept = failed || random.nextDouble() < probability;
            if (kept) {
                trace.forEach(s -> s.markKept(
                        failed ? "errors" : "representative",
                        failed ? 1.0 : probability,
                        DecisionTrigger.INACTIVITY,
                        false));
                for (EdgeCalls calls : EdgeCalls.of(trace)) {
                    rows.computeIfAbsent(calls.calleeService, k -> EdgeMinute.startedBy(calls))
                            .add(calls);
                }
            }
        }
        for (String callee : List.of("cart", "payment")) {
            EdgeMinute row = rows.get(callee);
            double standardError = Math.sqrt(variance.get(callee));
            assertThat(row.estimatedCalls).as(callee).isCloseTo(truth.get(callee)[0], within(3 * standardError));
            assertThat(standardError).as(callee).isLessThan(0.05 * truth.get(callee)[0]);
        }
        assertThat(rows.get("payment").estimatedErrors).isEqualTo(truth.get("payment")[1]);
        assertThat(rows.get("cart").durations().getCount()).isCloseTo(rows.get("cart").estimatedCalls, within(1e-6));
    }

    /** Adds a trace's calls on an edge to the truth, and to the estimate's variance unless kept for sure. */
    private static void count(
            Map<String, long[]> truth,
            Map<String, Double> variance,
            String callee,
            int calls,
            int errors,
            boolean certain,
            double probability) {
        long[] counts = truth.computeIfAbsent(callee, k -> new long[2]);
        counts[0] += calls;
        counts[1] += errors;
        if (!certain) {
            variance.merge(callee, (double) calls * calls * (1 - probability) / probability, Double::sum);
        }
    }
}

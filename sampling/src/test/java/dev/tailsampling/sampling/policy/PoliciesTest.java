package dev.tailsampling.sampling.policy;

import static dev.tailsampling.sampling.TestTraces.of;
import static dev.tailsampling.sampling.TestTraces.span;
import static dev.tailsampling.sampling.TestTraces.traceIdWithRandomness;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.sampling.Decision;
import dev.tailsampling.sampling.Decision.Outcome;
import dev.tailsampling.sampling.PolicyContext;
import dev.tailsampling.sampling.PolicySet;
import dev.tailsampling.sampling.SamplingPolicy;
import dev.tailsampling.sampling.Span;
import dev.tailsampling.sampling.TraceView;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PoliciesTest {
    private static final String ID = traceIdWithRandomness(1L << 55);
    private static final TraceView EMPTY = of(ID, List.of());

    private static Outcome outcome(SamplingPolicy policy, Span... spans) {
        return policy.evaluate(of(ID, List.of(spans))).outcome();
    }

    @Test
    void alwaysSampleKeepsEvenAnEmptyTrace() {
        assertThat(Policies.alwaysSample("all").evaluate(EMPTY).isSampled()).isTrue();
    }

    @Test
    void latencyWithoutUpperBoundIsInclusive() {
        SamplingPolicy slow = Policies.latency("slow", 500, 0);
        assertThat(outcome(slow, span("a", "x", 500))).isEqualTo(Outcome.SAMPLED);
        assertThat(outcome(slow, span("a", "x", 499))).isEqualTo(Outcome.NOT_SAMPLED);
        assertThat(outcome(slow)).as("empty trace").isEqualTo(Outcome.NOT_SAMPLED);
    }

    @Test
    void latencyWithUpperBoundExcludesTheLowerAndIncludesTheUpper() {
        SamplingPolicy band = Policies.latency("band", 500, 1000);
        assertThat(outcome(band, span("a", "x", 500))).isEqualTo(Outcome.NOT_SAMPLED);
        assertThat(outcome(band, span("a", "x", 501))).isEqualTo(Outcome.SAMPLED);
        assertThat(outcome(band, span("a", "x", 1000))).isEqualTo(Outcome.SAMPLED);
        assertThat(outcome(band, span("a", "x", 1001))).isEqualTo(Outcome.NOT_SAMPLED);
    }

    @Test
    void statusCodeMatchesAnySpan() {
        Span failed = span("a", "x", 1);
        failed.statusCode = "ERROR";
        SamplingPolicy errors = Policies.statusCode("errors", Set.of("ERROR"));
        assertThat(outcome(errors, span("a", "y", 1), failed)).isEqualTo(Outcome.SAMPLED);
        assertThat(outcome(errors, span("a", "y", 1))).isEqualTo(Outcome.NOT_SAMPLED);
    }

    @Test
    void numericAttributeBoundsAreInclusiveAndReadResourcesToo() {
        SamplingPolicy range = Policies.numericAttribute("n", "retries", 2, 5, false);
        assertThat(outcome(range, span("a", "x", 1, "retries", "2"))).isEqualTo(Outcome.SAMPLED);
        assertThat(outcome(range, span("a", "x", 1, "retries", "5"))).isEqualTo(Outcome.SAMPLED);
        assertThat(outcome(range, span("a", "x", 1, "retries", "6"))).isEqualTo(Outcome.NOT_SAMPLED);
        assertThat(outcome(range, span("a", "x", 1, "retries", "many"))).isEqualTo(Outcome.NOT_SAMPLED);
        assertThat(outcome(range, span("a", "x", 1))).as("missing").isEqualTo(Outcome.NOT_SAMPLED);
        Span fromResource = span("a", "x", 1);
        fromResource.resourceAttributes.put("retries", "3");
        assertThat(outcome(range, fromResource)).isEqualTo(Outcome.SAMPLED);
    }

    @Test
    void invertMatchVetoesAMatchAndKeepsTheRest() {
        SamplingPolicy notHealth = Policies.stringAttribute("h", "url.path", List.of("/health"), false, true);
        assertThat(outcome(notHealth, span("a", "x", 1, "url.path", "/health")))
                .isEqualTo(Outcome.INVERTED_NOT_SAMPLED);
        assertThat(outcome(notHealth, span("a", "x", 1, "url.path", "/cart")))
                .isEqualTo(Outcome.INVERTED_SAMPLED);
        assertThat(outcome(notHealth, span("a", "x", 1))).as("missing").isEqualTo(Outcome.INVERTED_SAMPLED);
    }

    @Test
    void stringAttributeMatchesExactlyOrByRegex() {
        SamplingPolicy exact = Policies.stringAttribute("s", "tier", List.of("gold", "silver"), false, false);
        SamplingPolicy regex = Policies.stringAttribute("r", "url.path", List.of("^/api/admin"), true, false);
        assertThat(outcome(exact, span("a", "x", 1, "tier", "gold"))).isEqualTo(Outcome.SAMPLED);
        assertThat(outcome(exact, span("a", "x", 1, "tier", "golden"))).isEqualTo(Outcome.NOT_SAMPLED);
        assertThat(outcome(regex, span("a", "x", 1, "url.path", "/api/admin/users"))).isEqualTo(Outcome.SAMPLED);
        assertThat(outcome(regex, span("a", "x", 1, "url.path", "/shop/api/admin"))).isEqualTo(Outcome.NOT_SAMPLED);
    }

    @Test
    void booleanAttributeComparesTheValue() {
        SamplingPolicy forced = Policies.booleanAttribute("f", "app.force_sample", true, false);
        assertThat(outcome(forced, span("a", "x", 1, "app.force_sample", "true"))).isEqualTo(Outcome.SAMPLED);
        assertThat(outcome(forced, span("a", "x", 1, "app.force_sample", "false"))).isEqualTo(Outcome.NOT_SAMPLED);
    }

    @Test
    void spanCountBoundsAreInclusiveAndZeroMaxMeansNone() {
        Span s = span("a", "x", 1);
        assertThat(outcome(Policies.spanCount("c", 2, 3), s)).isEqualTo(Outcome.NOT_SAMPLED);
        assertThat(outcome(Policies.spanCount("c", 2, 3), s, s)).isEqualTo(Outcome.SAMPLED);
        assertThat(outcome(Policies.spanCount("c", 2, 3), s, s, s, s)).isEqualTo(Outcome.NOT_SAMPLED);
        assertThat(outcome(Policies.spanCount("c", 2, 0), s, s, s, s)).isEqualTo(Outcome.SAMPLED);
    }

    @Test
    void traceStateAndTraceFlagsReadEachSpan() {
        Span s = span("a", "x", 1);
        s.traceState = "ot=th:8,vendor=blue";
        s.flags = 1;
        assertThat(outcome(Policies.traceState("t", "vendor", List.of("blue")), s)).isEqualTo(Outcome.SAMPLED);
        assertThat(outcome(Policies.traceState("t", "vendor", List.of("red")), s)).isEqualTo(Outcome.NOT_SAMPLED);
        assertThat(outcome(Policies.traceFlags("f"), s)).isEqualTo(Outcome.SAMPLED);
        s.flags = 0;
        assertThat(outcome(Policies.traceFlags("f"), s)).isEqualTo(Outcome.NOT_SAMPLED);
    }

    @Test
    void criticalOperationsMatchAServiceOrOneOfItsOperations() {
        SamplingPolicy critical = Policies.criticalOperations("c", List.of("payment", "checkout/POST /orders"));
        assertThat(outcome(critical, span("payment", "anything", 1))).isEqualTo(Outcome.SAMPLED);
        assertThat(outcome(critical, span("checkout", "POST /orders", 1))).isEqualTo(Outcome.SAMPLED);
        assertThat(outcome(critical, span("checkout", "GET /cart", 1))).isEqualTo(Outcome.NOT_SAMPLED);
    }

    @Test
    void nestedAndAndNotCombine() {
        SamplingPolicy premiumButNotSlow =
                Policies.and(
                        "premium-fast",
                        List.of(
                                Policies.stringAttribute("p", "tier", List.of("premium"), false, false),
                                Policies.not("not-slow", Policies.latency("slow", 1000, 0))));
        assertThat(outcome(premiumButNotSlow, span("a", "x", 10, "tier", "premium"))).isEqualTo(Outcome.SAMPLED);
        assertThat(outcome(premiumButNotSlow, span("a", "x", 2000, "tier", "premium"))).isEqualTo(Outcome.NOT_SAMPLED);
        assertThat(outcome(premiumButNotSlow, span("a", "x", 10))).isEqualTo(Outcome.NOT_SAMPLED);
        assertThat(Policies.and("half", List.of(Policies.alwaysSample("a"), Policies.probabilistic("p", 50)))
                        .evaluate(of(ID, List.of(span("a", "x", 1)))).probability())
                .isEqualTo(0.5);
    }

    @Test
    void dropVetoesWhenAllItsConditionsHold() {
        SamplingPolicy dropHealth =
                Policies.drop(
                        "drop-health",
                        List.of(Policies.stringAttribute("h", "url.path", List.of("/health"), false, false)));
        PolicySet set = new PolicySet(List.of(Policies.alwaysSample("all"), dropHealth));
        set.open(PolicyContext.standalone());
        assertThat(set.evaluate(of(ID, List.of(span("a", "x", 1, "url.path", "/health")))).outcome())
                .isEqualTo(Outcome.DROPPED);
        assertThat(set.evaluate(of(ID, List.of(span("a", "x", 1, "url.path", "/cart")))).policy())
                .isEqualTo("all");
    }

    @Test
    void anInvertedKeepLosesToAPlainNotSampled() {
        SamplingPolicy inverted = Policies.stringAttribute("h", "url.path", List.of("/health"), false, true);
        Span cart = span("a", "x", 1, "url.path", "/cart");
        assertThat(new PolicySet(List.of(inverted)).evaluate(of(ID, List.of(cart))).isSampled()).isTrue();
        assertThat(new PolicySet(List.of(inverted, Policies.latency("slow", 1000, 0)))
                        .evaluate(of(ID, List.of(cart))).isSampled())
                .isFalse();
    }

    @Test
    void rateLimitingHoldsTheJobWideBudgetSplitOverSubtasksWithTrueWeights() {
        AtomicLong now = new AtomicLong(0);
        SamplingPolicy limit = Policies.rateLimiting("limit", 1000);
        limit.open(new PolicyContext(2, now::get));
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        Span s = span("a", "x", 1);
        double keptWeight = 0;
        int kept = 0;
        int offered = 0;
        for (int second = 0; second < 10; second++) {
            now.set(second * 1000L);
            for (int i = 0; i < 5000; i++) {
                TraceView trace = of(traceIdWithRandomness(random.nextLong(1L << 56)), List.of(s));
                Decision d = limit.evaluate(trace);
                if (second > 0) {
                    offered++;
                    if (d.isSampled()) {
                        kept++;
                        keptWeight += 1 / d.probability();
                    }
                }
            }
        }
        // This subtask's share is 500 spans/s of the job's 1000: over 9 seconds about 4500 kept.
        assertThat(kept).isBetween(4200, 4800);
        assertThat(keptWeight).as("weights estimate what was offered").isBetween(offered * 0.93, offered * 1.07);
    }

    @Test
    void compositeGivesEachSubPolicyItsAllocation() {
        AtomicLong now = new AtomicLong(0);
        SamplingPolicy gold = Policies.stringAttribute("gold", "tier", List.of("gold"), false, false);
        SamplingPolicy rest = Policies.alwaysSample("rest");
        SamplingPolicy unlisted = Policies.alwaysSample("unlisted");
        CompositePolicy composite = new CompositePolicy("c", List.of(gold, rest, unlisted), List.of(600.0, 400.0, 0.0));
        composite.open(new PolicyContext(1, now::get));
        java.util.SplittableRandom random = new java.util.SplittableRandom(5);
        int goldKept = 0;
        int restKept = 0;
        for (int second = 0; second < 5; second++) {
            now.set(second * 1000L);
            for (int i = 0; i < 4000; i++) {
                boolean isGold = i % 2 == 0;
                Span s = isGold ? span("a", "x", 1, "tier", "gold") : span("a", "x", 1);
                Decision d = composite.evaluate(of(traceIdWithRandomness(random.nextLong(1L << 56)), List.of(s)));
                if (second > 0 && d.isSampled()) {
                    if (isGold) {
                        goldKept++;
                    } else {
                        restKept++;
                    }
                }
            }
        }
        assertThat(goldKept).isBetween(4 * 600 * 9 / 10, 4 * 600 * 11 / 10);
        assertThat(restKept).isBetween(4 * 400 * 9 / 10, 4 * 400 * 11 / 10);
    }
}

package dev.tailsampling.sampling.rates;

import static dev.tailsampling.sampling.TestTraces.traceIdWithRandomness;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.tailsampling.sampling.Decision;
import dev.tailsampling.sampling.PolicyContext;
import dev.tailsampling.sampling.TraceSummary;
import dev.tailsampling.sampling.TraceView;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BudgetGuardTest {
    private final AtomicLong now = new AtomicLong(0);
    private SamplingRates rates = SamplingRates.none();
    private final SplittableRandom random = new SplittableRandom(11);

    private BudgetGuard guard(int parallelism) {
        return new BudgetGuard(new PolicyContext(parallelism, now::get, () -> rates));
    }

    private void publishBudget(double perSecond, String unit) {
        SamplingRate defaults = new SamplingRate("*", 0.5, 1, "steady", SamplingRate.SOURCE_CONTROLLER, 0, 0);
        defaults.budgetPerSecond = perSecond;
        defaults.budgetUnit = unit;
        rates = SamplingRates.of(List.of(defaults));
    }

    /** A trace of {@code spans} spans whose randomness is random. */
    private TraceView trace(int spans) {
        TraceSummary summary = TraceSummary.firstSeenAt(0);
        summary.spanCount = spans;
        summary.byteCount = spans * 100L;
        return TraceView.of(traceIdWithRandomness(random.nextLong(1L << 56)), summary, List::of);
    }

    private static Decision representative(TraceView trace, double rate) {
        return trace.sampledAt(rate)
                ? Decision.sampled("representative", "trace id within the sample", rate)
                : Decision.notSampled();
    }

    @Test
    void aSurgeIsThinnedToTheSubtasksShareFromTheNextSecondWithTrueWeights() {
        publishBudget(2000, SamplingRate.UNIT_SPANS);
        BudgetGuard guard = guard(2);
        double keptWeight = 0;
        long offered = 0;
        long[] keptSpans = new long[5];
        for (int second = 0; second < 5; second++) {
            now.set(second * 1000L + 500);
            for (int i = 0; i < 5000; i++) {
                TraceView trace = trace(2);
                Decision rule = i % 100 == 0 ? Decision.sampled("errors", "an error", 1.0) : null;
                Decision evaluated = rule != null ? rule : representative(trace, 0.5);
                Decision decision = guard.apply(trace, evaluated, rule == null && evaluated.keeps(), now.get());
                if (rule != null) {
                    assertThat(decision).as("a rule's keep is never thinned").isSameAs(rule);
                } else {
                    offered += 2;
                }
                if (decision.keeps()) {
                    keptSpans[second] += 2;
                    assertThat(evaluated.keeps()).as("the guard only thins").isTrue();
                    if (rule == null) {
                        keptWeight += 2 / decision.probability();
                    }
                }
            }
        }
        // 10,000 spans a second, half kept at the rate: 5,000 against a share of 1,000, 100 of them by rules.
        assertThat(keptSpans[0]).isBetween(4800L, 5300L);
        for (int second = 1; second < 5; second++) {
            assertThat(keptSpans[second]).as("second %d", second).isBetween(900L, 1100L);
        }
        assertThat(guard.factor()).isCloseTo(900.0 / 4950, offset(0.01));
        assertThat(keptWeight).as("weights estimate what was offered").isBetween(offered * 0.95, offered * 1.05);
    }

    @Test
    void withinTheBudgetOrWithoutOneNothingChanges() {
        BudgetGuard guard = guard(1);
        for (int second = 0; second < 3; second++) {
            now.set(second * 1000L);
            for (int i = 0; i < 1000; i++) {
                TraceView trace = trace(10);
                Decision evaluated = representative(trace, 1.0);
                assertThat(guard.apply(trace, evaluated, true, now.get())).isSameAs(evaluated);
            }
        }
        publishBudget(1_000_000, SamplingRate.UNIT_BYTES);
        for (int second = 3; second < 6; second++) {
            now.set(second * 1000L);
            for (int i = 0; i < 500; i++) {
                TraceView trace = trace(10);
                Decision evaluated = representative(trace, 1.0);
                assertThat(guard.apply(trace, evaluated, true, now.get())).isSameAs(evaluated);
            }
        }
        assertThat(guard.factor()).isEqualTo(1.0);
    }

    @Test
    void rulesAloneOverTheBudgetLeaveTheSampleAtItsLowestButNotEmpty() {
        publishBudget(100, SamplingRate.UNIT_BYTES);
        BudgetGuard guard = guard(1);
        for (int second = 0; second < 2; second++) {
            now.set(second * 1000L);
            TraceView error = trace(10);
            guard.apply(error, Decision.sampled("errors", "an error", 1.0), false, now.get());
            TraceView sampled = trace(1);
            guard.apply(sampled, Decision.sampled("representative", "in the sample", 1.0), true, now.get());
        }
        assertThat(guard.factor()).isEqualTo(BudgetGuard.MIN_FACTOR);
        TraceView last = TraceView.of(traceIdWithRandomness((1L << 56) - 1), TraceSummary.firstSeenAt(0), List::of);
        Decision kept = guard.apply(last, Decision.sampled("representative", "in the sample", 0.5), true, now.get());
        assertThat(kept.keeps()).isTrue();
        assertThat(kept.probability()).isEqualTo(0.5 * BudgetGuard.MIN_FACTOR);
    }
}

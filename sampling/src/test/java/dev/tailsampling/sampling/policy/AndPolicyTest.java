package dev.tailsampling.sampling.policy;

import static dev.tailsampling.sampling.TestTraces.outcome;
import static dev.tailsampling.sampling.TestTraces.span;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.sampling.Decision.Outcome;
import dev.tailsampling.sampling.TestTraces;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class AndPolicyTest {

    @Test
    void keepsWhenEverySubPolicyKeepsWithTheSmallestProbability() {
        AndPolicy premiumButNotSlow = new AndPolicy(
                "premium-fast",
                List.of(
                        new StringAttributePolicy("p", "tier", List.of("premium"), false, false),
                        new NotPolicy("not-slow", new LatencyPolicy("slow", Duration.ofSeconds(1)))));
        assertThat(outcome(premiumButNotSlow, span("a", "x", 10, "tier", "premium")))
                .isEqualTo(Outcome.SAMPLED);
        assertThat(outcome(premiumButNotSlow, span("a", "x", 2000, "tier", "premium")))
                .isEqualTo(Outcome.NOT_SAMPLED);
        assertThat(outcome(premiumButNotSlow, span("a", "x", 10))).isEqualTo(Outcome.NOT_SAMPLED);
        AndPolicy half = new AndPolicy("half", List.of(new AlwaysSamplePolicy("a"), new ProbabilisticPolicy("p", 0.5)));
        assertThat(half.evaluate(TestTraces.of(
                                TestTraces.traceIdWithRandomness((1L << 56) - 1), List.of(span("a", "x", 1))))
                        .probability())
                .isEqualTo(0.5);
    }
}

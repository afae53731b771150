package dev.tailsampling.sampling.policy;

import static dev.tailsampling.sampling.TestTraces.traceIdWithRandomness;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.sampling.Decision;
import dev.tailsampling.sampling.TraceSummary;
import dev.tailsampling.sampling.TraceView;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LearnedLatencyPolicyTest {

    private static TraceView root(String service, String operation, double millis) {
        TraceSummary summary = TraceSummary.firstSeenAt(0);
        summary.addSpan(0, (long) (millis * 1e6), false, true, service, operation);
        return TraceView.of(traceIdWithRandomness(7), summary, List::of);
    }

    @Test
    void learnsTheQuantileOfAKnownDistributionPerRootServiceAndOperation() {
        LearnedLatencyPolicy policy = new LearnedLatencyPolicy("learned", 0.95, 100, 0.01);
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 20_000; i++) {
            policy.evaluate(root("checkout", "POST /orders", 1 + random.nextDouble() * 999));
            policy.evaluate(root("search", "GET /search", 1 + random.nextDouble() * 99));
        }

        // Uniform on [1, 1000] ms: p95 is 950 ms; the sketch is accurate to 1 %, the sample to about 1 %.
        assertThat(policy.threshold("checkout", "POST /orders")).isBetween(950 * 0.97, 950 * 1.03);
        assertThat(policy.threshold("search", "GET /search")).isBetween(95.05 * 0.97, 95.05 * 1.03);
        assertThat(policy.evaluate(root("checkout", "POST /orders", 990)).keeps())
                .isTrue();
        assertThat(policy.evaluate(root("checkout", "POST /orders", 900)).keeps())
                .isFalse();
        assertThat(policy.evaluate(root("search", "GET /search", 150)).policy()).isEqualTo("learned");
    }

    @Test
    void keepsNothingWhileWarmingUpOrWithoutARoot() {
        LearnedLatencyPolicy policy = new LearnedLatencyPolicy("learned", 0.95, 100, 0.01);
        for (int i = 0; i < 100; i++) {
            assertThat(policy.evaluate(root("a", "op", i < 99 ? 10 : 10_000)).keeps())
                    .isFalse();
        }
        assertThat(policy.evaluate(root("a", "op", 10_000)).keeps()).isTrue();
        TraceSummary noRoot = TraceSummary.firstSeenAt(0);
        noRoot.addSpan(0, 1_000_000_000_000L, false, false, null, null);
        assertThat(policy.evaluate(TraceView.of(traceIdWithRandomness(1), noRoot, List::of))
                        .outcome())
                .isEqualTo(Decision.Outcome.NOT_SAMPLED);
    }

    @Test
    void whatWasLearnedInParallelMergesOnRestore() {
        LearnedLatencyPolicy left = new LearnedLatencyPolicy("learned", 0.5, 10, 0.01);
        LearnedLatencyPolicy right = new LearnedLatencyPolicy("learned", 0.5, 10, 0.01);
        for (int i = 0; i < 1000; i++) {
            left.evaluate(root("a", "op", 100));
            right.evaluate(root("a", "op", 300));
        }
        Map<String, byte[]> checkpoint = new HashMap<>();
        left.snapshotState(checkpoint);
        Map<String, byte[]> other = new HashMap<>();
        right.snapshotState(other);

        LearnedLatencyPolicy restored = new LearnedLatencyPolicy("learned", 0.5, 10, 0.01);
        checkpoint.forEach(restored::restoreState);
        other.forEach(restored::restoreState);
        new LearnedLatencyPolicy("other-name", 0.5, 10, 0.01).restoreState("unrelated", new byte[] {1});

        assertThat(restored.threshold("a", "op"))
                .as("median of 1000 x 100 ms and 1000 x 300 ms")
                .isBetween(99.0, 101.0);
        assertThat(left.threshold("a", "op")).isBetween(99.0, 101.0);
        restored.evaluate(root("a", "op", 300));
        assertThat(restored.threshold("a", "op")).isBetween(297.0, 303.0);
    }
}

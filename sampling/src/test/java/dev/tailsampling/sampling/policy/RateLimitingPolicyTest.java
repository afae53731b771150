package dev.tailsampling.sampling.policy;

import static dev.tailsampling.sampling.TestTraces.of;
import static dev.tailsampling.sampling.TestTraces.span;
import static dev.tailsampling.sampling.TestTraces.traceIdWithRandomness;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.sampling.Decision;
import dev.tailsampling.sampling.PolicyContext;
import dev.tailsampling.sampling.Span;
import dev.tailsampling.sampling.TraceView;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimitingPolicyTest {

    @Test
    void holdsTheJobWideBudgetSplitOverSubtasksWithTrueWeights() {
        AtomicLong now = new AtomicLong(0);
        RateLimitingPolicy limit = new RateLimitingPolicy("limit", 1000, RateLimitingPolicy.Unit.SPANS);
        limit.open(new PolicyContext(2, now::get));
        SplittableRandom random = new SplittableRandom(3);
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
                    if (d.keeps()) {
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
}

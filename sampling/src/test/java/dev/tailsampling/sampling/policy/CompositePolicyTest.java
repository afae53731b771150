package dev.tailsampling.sampling.policy;

import static dev.tailsampling.sampling.TestTraces.of;
import static dev.tailsampling.sampling.TestTraces.span;
import static dev.tailsampling.sampling.TestTraces.traceIdWithRandomness;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.sampling.Decision;
import dev.tailsampling.sampling.PolicyContext;
import dev.tailsampling.sampling.Span;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CompositePolicyTest {

    @Test
    void givesEachSubPolicyItsAllocationAndAnUnlistedOneNothing() {
        AtomicLong now = new AtomicLong(0);
        StringAttributePolicy gold = new StringAttributePolicy("gold", "tier", List.of("gold"), false, false);
        CompositePolicy composite = new CompositePolicy(
                "c",
                List.of(gold, new AlwaysSamplePolicy("rest"), new AlwaysSamplePolicy("unlisted")),
                List.of(600.0, 400.0, 0.0));
        composite.open(new PolicyContext(1, now::get));
        SplittableRandom random = new SplittableRandom(5);
        int goldKept = 0;
        int restKept = 0;
        for (int second = 0; second < 5; second++) {
            now.set(second * 1000L);
            for (int i = 0; i < 4000; i++) {
                boolean isGold = i % 2 == 0;
                Span s = isGold ? span("a", "x", 1, "tier", "gold") : span("a", "x", 1);
                Decision d = composite.evaluate(of(traceIdWithRandomness(random.nextLong(1L << 56)), List.of(s)));
                if (second > 0 && d.keeps()) {
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

package dev.tailsampling.sampling.policy;

import static dev.tailsampling.sampling.TestTraces.outcome;
import static dev.tailsampling.sampling.TestTraces.span;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.sampling.Decision.Outcome;
import dev.tailsampling.sampling.Span;
import org.junit.jupiter.api.Test;

class TraceFlagsPolicyTest {

    @Test
    void keepsWhenASpanHasTheSampledFlag() {
        Span s = span("a", "x", 1);
        s.flags = 1;
        assertThat(outcome(new TraceFlagsPolicy("f"), s)).isEqualTo(Outcome.SAMPLED);
        s.flags = 0;
        assertThat(outcome(new TraceFlagsPolicy("f"), s)).isEqualTo(Outcome.NOT_SAMPLED);
    }
}

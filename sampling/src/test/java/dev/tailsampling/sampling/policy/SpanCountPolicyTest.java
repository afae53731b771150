package dev.tailsampling.sampling.policy;

import static dev.tailsampling.sampling.TestTraces.outcome;
import static dev.tailsampling.sampling.TestTraces.span;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tailsampling.sampling.Decision.Outcome;
import dev.tailsampling.sampling.Span;
import org.junit.jupiter.api.Test;

class SpanCountPolicyTest {

    @Test
    void boundsAreInclusiveAndZeroMaxMeansNone() {
        Span s = span("a", "x", 1);
        assertThat(outcome(new SpanCountPolicy("c", 2, 3), s)).isEqualTo(Outcome.NOT_SAMPLED);
        assertThat(outcome(new SpanCountPolicy("c", 2, 3), s, s)).isEqualTo(Outcome.SAMPLED);
        assertThat(outcome(new SpanCountPolicy("c", 2, 3), s, s, s, s)).isEqualTo(Outcome.NOT_SAMPLED);
        assertThat(outcome(new SpanCountPolicy("c", 2, 0), s, s, s, s)).isEqualTo(Outcome.SAMPLED);
    }

    @Test
    void refusesAMaximumBelowTheMinimum() {
        assertThatThrownBy(() -> new SpanCountPolicy("c", 3, 2)).hasMessageContaining("max at least min");
    }
}

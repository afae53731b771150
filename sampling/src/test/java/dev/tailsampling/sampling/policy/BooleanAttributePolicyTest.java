package dev.tailsampling.sampling.policy;

import static dev.tailsampling.sampling.TestTraces.outcome;
import static dev.tailsampling.sampling.TestTraces.span;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.sampling.Decision.Outcome;
import org.junit.jupiter.api.Test;

class BooleanAttributePolicyTest {

    @Test
    void comparesTheValue() {
        BooleanAttributePolicy forced = new BooleanAttributePolicy("f", "app.force_sample", true, false);
        assertThat(outcome(forced, span("a", "x", 1, "app.force_sample", "true")))
                .isEqualTo(Outcome.SAMPLED);
        assertThat(outcome(forced, span("a", "x", 1, "app.force_sample", "TRUE")))
                .isEqualTo(Outcome.SAMPLED);
        assertThat(outcome(forced, span("a", "x", 1, "app.force_sample", "false")))
                .isEqualTo(Outcome.NOT_SAMPLED);
    }
}

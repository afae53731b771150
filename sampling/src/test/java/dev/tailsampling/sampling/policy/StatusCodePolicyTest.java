package dev.tailsampling.sampling.policy;

import static dev.tailsampling.sampling.TestTraces.outcome;
import static dev.tailsampling.sampling.TestTraces.span;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tailsampling.sampling.Decision.Outcome;
import dev.tailsampling.sampling.Span;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StatusCodePolicyTest {

    @Test
    void matchesAnySpan() {
        Span failed = span("a", "x", 1);
        failed.statusCode = "ERROR";
        StatusCodePolicy errors = new StatusCodePolicy("errors", Set.of("ERROR"));
        assertThat(outcome(errors, span("a", "y", 1), failed)).isEqualTo(Outcome.SAMPLED);
        assertThat(outcome(errors, span("a", "y", 1))).isEqualTo(Outcome.NOT_SAMPLED);
    }

    @Test
    void refusesACodeThatIsNone() {
        assertThatThrownBy(() -> new StatusCodePolicy("s", Set.of("FAILED")))
                .hasMessageContaining("'FAILED' is not one of OK, ERROR, UNSET");
    }
}

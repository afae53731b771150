package dev.tailsampling.sampling.policy;

import static dev.tailsampling.sampling.TestTraces.outcome;
import static dev.tailsampling.sampling.TestTraces.span;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.sampling.Decision.Outcome;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class NotPolicyTest {

    @Test
    void keepsWhatItsSubPolicyDoesNotAndTheOtherWayRound() {
        NotPolicy fast = new NotPolicy("fast", new LatencyPolicy("slow", Duration.ofSeconds(1)));
        assertThat(outcome(fast, span("a", "x", 10))).isEqualTo(Outcome.SAMPLED);
        assertThat(outcome(fast, span("a", "x", 2000))).isEqualTo(Outcome.NOT_SAMPLED);
    }
}

package dev.tailsampling.sampling.policy;

import static dev.tailsampling.sampling.TestTraces.outcome;
import static dev.tailsampling.sampling.TestTraces.span;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tailsampling.sampling.Decision.Outcome;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LatencyPolicyTest {

    @Test
    void withoutUpperBoundTheThresholdIsIncluded() {
        LatencyPolicy slow = new LatencyPolicy("slow", Duration.ofMillis(500));
        assertThat(outcome(slow, span("a", "x", 500))).isEqualTo(Outcome.SAMPLED);
        assertThat(outcome(slow, span("a", "x", 499))).isEqualTo(Outcome.NOT_SAMPLED);
        assertThat(outcome(slow)).as("empty trace").isEqualTo(Outcome.NOT_SAMPLED);
    }

    @Test
    void withUpperBoundTheThresholdIsExcludedAndTheBoundIncluded() {
        LatencyPolicy band = new LatencyPolicy("band", Duration.ofMillis(500), Duration.ofMillis(1000));
        assertThat(outcome(band, span("a", "x", 500))).isEqualTo(Outcome.NOT_SAMPLED);
        assertThat(outcome(band, span("a", "x", 501))).isEqualTo(Outcome.SAMPLED);
        assertThat(outcome(band, span("a", "x", 1000))).isEqualTo(Outcome.SAMPLED);
        assertThat(outcome(band, span("a", "x", 1001))).isEqualTo(Outcome.NOT_SAMPLED);
    }

    @Test
    void anUpperBoundNotAboveTheThresholdIsRefused() {
        assertThatThrownBy(() -> new LatencyPolicy("band", Duration.ofMillis(500), Duration.ofMillis(500)))
                .hasMessageContaining("band");
        assertThatThrownBy(() -> new LatencyPolicy("slow", Duration.ofMillis(-1)))
                .hasMessageContaining("negative");
    }
}

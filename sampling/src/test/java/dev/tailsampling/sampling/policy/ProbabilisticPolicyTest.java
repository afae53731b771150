package dev.tailsampling.sampling.policy;

import static dev.tailsampling.sampling.TestTraces.trace;
import static dev.tailsampling.sampling.TestTraces.traceIdWithRandomness;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tailsampling.sampling.Decision;
import org.junit.jupiter.api.Test;

class ProbabilisticPolicyTest {

    @Test
    void keepsTheTraceIdsAboveTheRatesThresholdWithTheRateAsProbability() {
        ProbabilisticPolicy tenth = new ProbabilisticPolicy("p", 0.1);
        Decision high = tenth.evaluate(trace(traceIdWithRandomness((1L << 56) - 1), 10, false));
        assertThat(high.keeps()).isTrue();
        assertThat(high.probability()).isEqualTo(0.1);
        assertThat(tenth.evaluate(trace(traceIdWithRandomness(1L << 55), 10, false))
                        .keeps())
                .isFalse();
    }

    @Test
    void takesAFractionNotAPercentage() {
        assertThatThrownBy(() -> new ProbabilisticPolicy("p", 10)).hasMessageContaining("[0, 1]");
    }
}

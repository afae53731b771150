package dev.tailsampling.sampling;

import static dev.tailsampling.sampling.TestTraces.trace;
import static dev.tailsampling.sampling.TestTraces.traceIdWithRandomness;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicySetTest {

    private static final String LUCKY = traceIdWithRandomness((1L << 56) - 1);
    private static final String UNLUCKY = traceIdWithRandomness(0);

    private final PolicySet policies =
            new PolicySet(
                    List.of(
                            SamplingPolicy.errors("errors"),
                            SamplingPolicy.latencyAtLeast("slow", Duration.ofMillis(500)),
                            SamplingPolicy.probabilistic("representative", 0.1)));

    @Test
    void keepsErrorTracesWithProbabilityOne() {
        Decision decision = policies.evaluate(trace(UNLUCKY, 10, true));
        assertThat(decision.isSampled()).isTrue();
        assertThat(decision.policy()).isEqualTo("errors");
        assertThat(decision.probability()).isEqualTo(1.0);
    }

    @Test
    void keepsSlowTracesFromTheThresholdOn() {
        assertThat(policies.evaluate(trace(UNLUCKY, 500, false)).policy()).isEqualTo("slow");
        assertThat(policies.evaluate(trace(UNLUCKY, 499, false)).isSampled()).isFalse();
    }

    @Test
    void firstKeepingPolicyNamesTheDecision() {
        Decision decision = policies.evaluate(trace(LUCKY, 900, true));
        assertThat(decision.policy()).isEqualTo("errors");
        assertThat(decision.reason()).contains("error");
    }

    @Test
    void representativeSampleCarriesItsRate() {
        Decision decision = policies.evaluate(trace(LUCKY, 10, false));
        assertThat(decision.policy()).isEqualTo("representative");
        assertThat(decision.probability()).isEqualTo(0.1);
    }

    @Test
    void dropsPlainTracesOutsideTheSample() {
        Decision decision = policies.evaluate(trace(UNLUCKY, 10, false));
        assertThat(decision.outcome()).isEqualTo(Decision.Outcome.NOT_SAMPLED);
        assertThat(decision.probability()).isZero();
    }

    @Test
    void aDropVetoesEvenAnEarlierKeep() {
        SamplingPolicy veto =
                new SamplingPolicy() {
                    @Override
                    public String name() {
                        return "veto";
                    }

                    @Override
                    public Decision evaluate(TraceView trace) {
                        return Decision.dropped("veto", "health check");
                    }
                };
        PolicySet withVeto = new PolicySet(List.of(SamplingPolicy.errors("errors"), veto));
        assertThat(withVeto.evaluate(trace(UNLUCKY, 10, true)).outcome())
                .isEqualTo(Decision.Outcome.DROPPED);
    }

    @Test
    void rejectsBadConfiguration() {
        assertThatThrownBy(() -> new PolicySet(List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SamplingPolicy.latencyAtLeast("slow", Duration.ZERO))
                .hasMessageContaining("slow");
        assertThatThrownBy(() -> SamplingPolicy.probabilistic("rep", 2.0))
                .hasMessageContaining("[0, 1]");
    }
}

package dev.tailsampling.sampling;

import static dev.tailsampling.sampling.TestTraces.of;
import static dev.tailsampling.sampling.TestTraces.span;
import static dev.tailsampling.sampling.TestTraces.trace;
import static dev.tailsampling.sampling.TestTraces.traceIdWithRandomness;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tailsampling.sampling.policy.AndPolicy;
import dev.tailsampling.sampling.policy.ErrorPolicy;
import dev.tailsampling.sampling.policy.LatencyPolicy;
import dev.tailsampling.sampling.policy.LearnedLatencyPolicy;
import dev.tailsampling.sampling.policy.NotPolicy;
import dev.tailsampling.sampling.policy.StringAttributePolicy;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicySetTest {

    private static final String LUCKY = traceIdWithRandomness((1L << 56) - 1);
    private static final String UNLUCKY = traceIdWithRandomness(0);

    private final PolicySet policies = PolicySet.builtIn(Duration.ofMillis(500), 0.1);

    @Test
    void keepsErrorTracesWithProbabilityOne() {
        Decision decision = policies.evaluate(trace(UNLUCKY, 10, true));
        assertThat(decision.keeps()).isTrue();
        assertThat(decision.policy()).isEqualTo("errors");
        assertThat(decision.probability()).isEqualTo(1.0);
    }

    @Test
    void keepsSlowTracesFromTheThresholdOn() {
        assertThat(policies.evaluate(trace(UNLUCKY, 500, false)).policy()).isEqualTo("slow");
        assertThat(policies.evaluate(trace(UNLUCKY, 499, false)).keeps()).isFalse();
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
        SamplingPolicy veto = new SamplingPolicy() {
            @Override
            public String name() {
                return "veto";
            }

            @Override
            public Decision evaluate(TraceView trace) {
                return Decision.dropped("veto", "health check");
            }
        };
        PolicySet withVeto = new PolicySet(List.of(new ErrorPolicy("errors"), veto));
        assertThat(withVeto.evaluate(trace(UNLUCKY, 10, true)).outcome()).isEqualTo(Decision.Outcome.DROPPED);
    }

    @Test
    void anInvertedKeepLosesToAPlainNotSampled() {
        StringAttributePolicy notHealth = new StringAttributePolicy("h", "url.path", List.of("/health"), false, true);
        TraceView cart = of(UNLUCKY, List.of(span("a", "x", 1, "url.path", "/cart")));
        assertThat(new PolicySet(List.of(notHealth)).evaluate(cart).keeps()).isTrue();
        assertThat(new PolicySet(List.of(notHealth, new LatencyPolicy("slow", Duration.ofSeconds(1))))
                        .evaluate(cart)
                        .keeps())
                .isFalse();
    }

    @Test
    void opensCheckpointsAndRestoresTheStatefulPoliciesWhereverTheyAreNested() {
        LearnedLatencyPolicy learned = new LearnedLatencyPolicy("learned", 0.5, 1, 0.01);
        PolicySet nested = new PolicySet(List.of(new NotPolicy("not", new AndPolicy("and", List.of(learned)))));
        nested.open(PolicyContext.standalone());
        learned.evaluate(of(UNLUCKY, List.of(span("shop", "GET /", 100))));
        Map<String, byte[]> checkpoint = new HashMap<>();
        nested.snapshotState(checkpoint);
        assertThat(checkpoint).isNotEmpty();

        LearnedLatencyPolicy restored = new LearnedLatencyPolicy("learned", 0.5, 1, 0.01);
        PolicySet after = new PolicySet(List.of(new NotPolicy("not", restored)));
        checkpoint.forEach(after::restoreState);
        assertThat(restored.threshold("shop", "GET /")).isCloseTo(100, within(2.0));
    }

    @Test
    void namesItsRepresentativePolicies() {
        assertThat(new PolicySet(List.of(new ErrorPolicy("errors"))).representativeNames())
                .isEmpty();
        assertThat(policies.representativeNames()).containsExactly("representative");
    }

    @Test
    void rejectsAnEmptySet() {
        assertThatThrownBy(() -> new PolicySet(List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}

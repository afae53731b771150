package dev.tailsampling.sampling.policy;

import static dev.tailsampling.sampling.TestTraces.of;
import static dev.tailsampling.sampling.TestTraces.span;
import static dev.tailsampling.sampling.TestTraces.traceIdWithRandomness;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.sampling.Decision.Outcome;
import dev.tailsampling.sampling.PolicySet;
import java.util.List;
import org.junit.jupiter.api.Test;

class DropPolicyTest {

    @Test
    void vetoesWhenAllItsConditionsHoldWhateverOthersSay() {
        DropPolicy dropHealth = new DropPolicy(
                "drop-health", List.of(new StringAttributePolicy("h", "url.path", List.of("/health"), false, false)));
        PolicySet set = new PolicySet(List.of(new AlwaysSamplePolicy("all"), dropHealth));
        String id = traceIdWithRandomness(0);
        assertThat(set.evaluate(of(id, List.of(span("a", "x", 1, "url.path", "/health"))))
                        .outcome())
                .isEqualTo(Outcome.DROPPED);
        assertThat(set.evaluate(of(id, List.of(span("a", "x", 1, "url.path", "/cart"))))
                        .policy())
                .isEqualTo("all");
    }
}

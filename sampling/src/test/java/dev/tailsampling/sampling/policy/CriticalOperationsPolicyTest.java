package dev.tailsampling.sampling.policy;

import static dev.tailsampling.sampling.TestTraces.outcome;
import static dev.tailsampling.sampling.TestTraces.span;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.sampling.Decision.Outcome;
import java.util.List;
import org.junit.jupiter.api.Test;

class CriticalOperationsPolicyTest {

    @Test
    void matchesAServiceOrOneOfItsOperations() {
        CriticalOperationsPolicy critical =
                new CriticalOperationsPolicy("c", List.of("payment", "checkout/POST /orders"));
        assertThat(outcome(critical, span("payment", "anything", 1))).isEqualTo(Outcome.SAMPLED);
        assertThat(outcome(critical, span("checkout", "POST /orders", 1))).isEqualTo(Outcome.SAMPLED);
        assertThat(outcome(critical, span("checkout", "GET /cart", 1))).isEqualTo(Outcome.NOT_SAMPLED);
    }
}

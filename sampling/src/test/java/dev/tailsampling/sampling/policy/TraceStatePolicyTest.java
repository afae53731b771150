package dev.tailsampling.sampling.policy;

import static dev.tailsampling.sampling.TestTraces.outcome;
import static dev.tailsampling.sampling.TestTraces.span;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.sampling.Decision.Outcome;
import dev.tailsampling.sampling.Span;
import java.util.List;
import org.junit.jupiter.api.Test;

class TraceStatePolicyTest {

    @Test
    void readsEachMemberOfEachSpansTraceState() {
        Span s = span("a", "x", 1);
        s.traceState = "ot=th:8, vendor=blue";
        assertThat(outcome(new TraceStatePolicy("t", "vendor", List.of("blue")), s))
                .isEqualTo(Outcome.SAMPLED);
        assertThat(outcome(new TraceStatePolicy("t", "vendor", List.of("red")), s))
                .isEqualTo(Outcome.NOT_SAMPLED);
    }
}

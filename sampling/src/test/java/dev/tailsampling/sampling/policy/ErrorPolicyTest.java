package dev.tailsampling.sampling.policy;

import static dev.tailsampling.sampling.TestTraces.trace;
import static dev.tailsampling.sampling.TestTraces.traceIdWithRandomness;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.sampling.Decision;
import org.junit.jupiter.api.Test;

class ErrorPolicyTest {

    @Test
    void keepsATraceWithAnErrorOnItsSummaryAlone() {
        ErrorPolicy errors = new ErrorPolicy("errors");
        Decision kept = errors.evaluate(trace(traceIdWithRandomness(0), 10, true));
        assertThat(kept.keeps()).isTrue();
        assertThat(kept.probability()).isEqualTo(1.0);
        assertThat(errors.evaluate(trace(traceIdWithRandomness(0), 10, false)).keeps())
                .isFalse();
    }
}

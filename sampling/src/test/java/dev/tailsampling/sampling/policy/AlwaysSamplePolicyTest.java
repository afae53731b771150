package dev.tailsampling.sampling.policy;

import static dev.tailsampling.sampling.TestTraces.of;
import static dev.tailsampling.sampling.TestTraces.traceIdWithRandomness;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AlwaysSamplePolicyTest {

    @Test
    void keepsEvenAnEmptyTrace() {
        assertThat(new AlwaysSamplePolicy("all")
                        .evaluate(of(traceIdWithRandomness(0), List.of()))
                        .keeps())
                .isTrue();
    }
}

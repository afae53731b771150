package dev.tailsampling.sampling.policy;

import static dev.tailsampling.sampling.TestTraces.span;
import static dev.tailsampling.sampling.TestTraces.traceIdWithRandomness;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.sampling.PolicyContext;
import dev.tailsampling.sampling.TestTraces;
import dev.tailsampling.sampling.TraceView;
import dev.tailsampling.sampling.rates.SamplingRate;
import dev.tailsampling.sampling.rates.SamplingRates;
import java.util.List;
import org.junit.jupiter.api.Test;

class RepresentativePolicyTest {

    /** A root span of {@code service} whose trace id's randomness is a quarter of the range. */
    private static TraceView quarter(String service) {
        return TestTraces.of(traceIdWithRandomness(1L << 54), List.of(span(service, "GET /", 5)));
    }

    @Test
    void followsTheControllersRateForTheRootServiceAndItsDefaultOtherwise() {
        RepresentativePolicy sample = new RepresentativePolicy("representative", 1.0);
        assertThat(sample.evaluate(quarter("shop")).probability())
                .as("configured until opened")
                .isEqualTo(1.0);

        SamplingRates rates = SamplingRates.of(List.of(
                new SamplingRate("shop", 0.5, 1.0, "steady", SamplingRate.SOURCE_CONTROLLER, 0, 0),
                new SamplingRate(SamplingRate.DEFAULT_KEY, 0.8, 1.0, "steady", SamplingRate.SOURCE_CONTROLLER, 0, 0)));
        sample.open(new PolicyContext(1, () -> 0L, () -> rates));
        assertThat(sample.evaluate(quarter("shop")).keeps())
                .as("a quarter is below 1 - 0.5")
                .isFalse();
        assertThat(sample.evaluate(quarter("cart")).probability())
                .as("the default rate")
                .isEqualTo(0.8);
    }
}

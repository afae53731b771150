package dev.tailsampling.sampling.policy;

import static dev.tailsampling.sampling.TestTraces.outcome;
import static dev.tailsampling.sampling.TestTraces.span;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tailsampling.sampling.Decision.Outcome;
import dev.tailsampling.sampling.Span;
import org.junit.jupiter.api.Test;

class NumericAttributePolicyTest {

    @Test
    void boundsAreInclusiveAndResourcesAreReadToo() {
        NumericAttributePolicy range = new NumericAttributePolicy("n", "retries", 2, 5, false);
        assertThat(outcome(range, span("a", "x", 1, "retries", "2"))).isEqualTo(Outcome.SAMPLED);
        assertThat(outcome(range, span("a", "x", 1, "retries", "5"))).isEqualTo(Outcome.SAMPLED);
        assertThat(outcome(range, span("a", "x", 1, "retries", "6"))).isEqualTo(Outcome.NOT_SAMPLED);
        assertThat(outcome(range, span("a", "x", 1, "retries", "many"))).isEqualTo(Outcome.NOT_SAMPLED);
        assertThat(outcome(range, span("a", "x", 1))).as("missing").isEqualTo(Outcome.NOT_SAMPLED);
        Span fromResource = span("a", "x", 1);
        fromResource.resourceAttributes.put("retries", "3");
        assertThat(outcome(range, fromResource)).isEqualTo(Outcome.SAMPLED);
    }

    @Test
    void numbersReadAsJavaReadsThem() {
        for (String value : new String[] {
            "0", "-0", "+7", "42", "-1000", "999999999999999999", "1234567890123456789", "12.5", "-3e2", "0x1p4", "NaN"
        }) {
            // Bit for bit: -0 stays negative, NaN stays NaN.
            assertThat(Double.doubleToLongBits(NumericAttributePolicy.number(value)))
                    .as(value)
                    .isEqualTo(Double.doubleToLongBits(Double.parseDouble(value)));
        }
        for (String value : new String[] {"", "-", "+", "1-2", "12a", " "}) {
            assertThatThrownBy(() -> NumericAttributePolicy.number(value))
                    .as(value)
                    .isInstanceOf(NumberFormatException.class);
        }
    }
}

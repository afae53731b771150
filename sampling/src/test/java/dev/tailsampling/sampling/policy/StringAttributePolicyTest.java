package dev.tailsampling.sampling.policy;

import static dev.tailsampling.sampling.TestTraces.outcome;
import static dev.tailsampling.sampling.TestTraces.span;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tailsampling.sampling.Decision.Outcome;
import java.util.List;
import org.junit.jupiter.api.Test;

class StringAttributePolicyTest {

    @Test
    void matchesExactlyOrByRegex() {
        StringAttributePolicy exact = new StringAttributePolicy("s", "tier", List.of("gold", "silver"), false, false);
        StringAttributePolicy regex = new StringAttributePolicy("r", "url.path", List.of("^/api/admin"), true, false);
        assertThat(outcome(exact, span("a", "x", 1, "tier", "gold"))).isEqualTo(Outcome.SAMPLED);
        assertThat(outcome(exact, span("a", "x", 1, "tier", "golden"))).isEqualTo(Outcome.NOT_SAMPLED);
        assertThat(outcome(regex, span("a", "x", 1, "url.path", "/api/admin/users")))
                .isEqualTo(Outcome.SAMPLED);
        assertThat(outcome(regex, span("a", "x", 1, "url.path", "/shop/api/admin")))
                .isEqualTo(Outcome.NOT_SAMPLED);
    }

    @Test
    void invertMatchVetoesAMatchAndKeepsTheRest() {
        StringAttributePolicy notHealth = new StringAttributePolicy("h", "url.path", List.of("/health"), false, true);
        assertThat(outcome(notHealth, span("a", "x", 1, "url.path", "/health")))
                .isEqualTo(Outcome.INVERTED_NOT_SAMPLED);
        assertThat(outcome(notHealth, span("a", "x", 1, "url.path", "/cart"))).isEqualTo(Outcome.INVERTED_SAMPLED);
        assertThat(outcome(notHealth, span("a", "x", 1))).as("missing").isEqualTo(Outcome.INVERTED_SAMPLED);
    }

    @Test
    void refusesARegexThatDoesNotCompile() {
        assertThatThrownBy(() -> new StringAttributePolicy("r", "k", List.of("(unclosed"), true, false))
                .hasMessageContaining("'(unclosed' is not a valid regular expression");
    }
}

package dev.tailsampling.sampling.rates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RatesJsonTest {
    @Test
    void aRateRoundTripsInSnakeCase() {
        SamplingRate rate = new SamplingRate("*", 0.02, 0.5, "over_budget", SamplingRate.SOURCE_CONTROLLER, 0, 42);
        String json = new String(RatesJson.write(rate), StandardCharsets.UTF_8);
        assertThat(json)
                .contains("\"presample_rate\":0.5")
                .doesNotContain("default")
                .doesNotContain("manual");

        SamplingRate back = RatesJson.readRate(json.getBytes(StandardCharsets.UTF_8));
        assertThat(back).usingRecursiveComparison().isEqualTo(rate);
    }

    @Test
    void unknownFieldsAreIgnoredAndBadRecordsSayWhy() {
        assertThat(RatesJson.readRate("{\"service\":\"a\",\"rate\":1,\"new_field\":3}".getBytes(StandardCharsets.UTF_8))
                        .rate)
                .isEqualTo(1.0);
        assertThatThrownBy(
                        () -> RatesJson.readRate("{\"service\":\"a\",\"rate\":1.5}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("rate must be in [0, 1]");
        assertThatThrownBy(() -> RatesJson.readRate("{\"rate\":0.5}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("service is missing");
        assertThatThrownBy(() -> RatesJson.readStats("[1,2]".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("not a JSON ServiceStats");
        assertThatThrownBy(() -> RatesJson.readStats(
                        "{\"service\":\"a\",\"kept_by_policy\":null}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("kept_by_policy");
        assertThatThrownBy(() -> RatesJson.readStats(
                        "{\"service\":\"a\",\"shadow_kept_by_policy\":{\"x\":null}}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("shadow_kept_by_policy");
    }

    @Test
    void aServiceRateWinsUntilItExpiresThenTheDefaultThenTheConfiguredRate() {
        SamplingRates rates = SamplingRates.of(java.util.List.of(
                new SamplingRate("a", 0.3, 1, "override", SamplingRate.SOURCE_MANUAL, 1_000, 0),
                new SamplingRate("*", 0.1, 0.8, "steady", SamplingRate.SOURCE_CONTROLLER, 0, 0)));
        assertThat(rates.rateFor("a", 999, 0.5)).isEqualTo(0.3);
        assertThat(rates.rateFor("a", 1_000, 0.5)).isEqualTo(0.1);
        assertThat(rates.rateFor(null, 0, 0.5)).isEqualTo(0.1);
        assertThat(rates.presampleRate(0, Long.MAX_VALUE)).isEqualTo(0.8);
        assertThat(SamplingRates.none().rateFor("a", 0, 0.5)).isEqualTo(0.5);
        assertThat(SamplingRates.none().presampleRate(0, Long.MAX_VALUE)).isEqualTo(1.0);
    }

    @Test
    void aControllerRateOlderThanTheMaxAgeNoLongerPreSamplesAndItsAgeIsKnown() {
        SamplingRates rates = SamplingRates.of(List.of(
                new SamplingRate(
                        SamplingRate.DEFAULT_KEY, 0.1, 0.5, "over_budget", SamplingRate.SOURCE_CONTROLLER, 0, 1_000),
                new SamplingRate("checkout", 0.2, 1.0, "steady", SamplingRate.SOURCE_CONTROLLER, 0, 4_000)));

        assertThat(rates.presampleRate(5_000, 10_000)).isEqualTo(0.5);
        assertThat(rates.presampleRate(20_000, 10_000)).as("stale").isEqualTo(1.0);
        assertThat(rates.rateFor("checkout", 20_000, 0.01))
                .as("representative rates stay")
                .isEqualTo(0.2);
        assertThat(rates.controllerAgeMillis(20_000)).isEqualTo(16_000);
        assertThat(SamplingRates.none().controllerAgeMillis(20_000)).isEqualTo(-1);
    }
}

package dev.tailsampling.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tailsampling.controller.Budget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControllerConfTest {
    @TempDir
    Path temp;

    private static Map<String, String> with(String... pairs) {
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            params.put(pairs[i], pairs[i + 1]);
        }
        return params;
    }

    @Test
    void readsABudgetAndTheDocumentedDefaults() {
        ControllerConf conf = ControllerConf.fromMap(with("budget.spans-per-second", "5000"));
        assertThat(conf.settings.budget.unit).isEqualTo(Budget.Unit.SPANS);
        assertThat(conf.settings.budget.perSecond).isEqualTo(5000);
        assertThat(conf.settings.maxChange).isEqualTo(0.2);
        assertThat(conf.settings.interval).isEqualTo(Duration.ofMinutes(5));
        assertThat(conf.settings.defaults.minRate).isEqualTo(0.001);
        assertThat(conf.ratesTopic).isEqualTo("sampling_rates");
        assertThat(conf.groupId).isEqualTo("budget-controller");
    }

    @Test
    void aMonthlyCostBecomesBytesPerSecondOverTheRetention() {
        ControllerConf conf = ControllerConf.fromMap(
                with("budget.cost-per-month", "230", "budget.cost-per-gb-month", "0.023", "budget.retention", "10d"));
        // 10,000 GB held over 10 days of retention: 1e13 bytes / 864,000 s.
        assertThat(conf.settings.budget.perSecond).isCloseTo(1e13 / 864_000, within(1.0));
    }

    @Test
    void badParametersStopAtStartNamingTheParameter() {
        assertThatThrownBy(() -> ControllerConf.fromMap(with()))
                .hasMessageContaining("give exactly one budget: --budget.spans-per-second");
        assertThatThrownBy(
                        () -> ControllerConf.fromMap(with("budget.spans-per-second", "1", "budget.bytes-per-day", "1")))
                .hasMessageContaining("give exactly one budget");
        assertThatThrownBy(() -> ControllerConf.fromMap(with("budget.cost-per-month", "100")))
                .hasMessageContaining("--budget.cost-per-month needs --budget.cost-per-gb-month");
        assertThatThrownBy(() -> ControllerConf.fromMap(with("budget.spans-per-second", "-3")))
                .hasMessageContaining("--budget.spans-per-second")
                .hasMessageContaining("positive");
        assertThatThrownBy(() ->
                        ControllerConf.fromMap(with("budget.spans-per-second", "100", "controller.max-change", "1.5")))
                .hasMessageContaining("--controller.max-change")
                .hasMessageContaining("(0, 1)");
        assertThatThrownBy(() ->
                        ControllerConf.fromMap(with("budget.spans-per-second", "100", "controller.interval", "soon")))
                .hasMessageContaining("--controller.interval");
        assertThatThrownBy(() -> ControllerConf.fromMap(with("budget.spans-per-second", "100", "budget.spans", "1")))
                .hasMessageContaining("unknown parameter --budget.spans");
    }

    @Test
    void aServicesFileIsCheckedFieldByField() throws Exception {
        Path file = temp.resolve("services.yaml");
        Files.writeString(file, "services:\n  checkout: {min_rate: 0.05}\n  health: {rate: 0.0001}\n");
        ControllerConf conf =
                ControllerConf.fromMap(with("budget.spans-per-second", "100", "controller.services", file.toString()));
        assertThat(conf.settings.forService("checkout").minRate).isEqualTo(0.05);
        assertThat(conf.settings.forService("checkout").floorTracesPerSecond).isEqualTo(0.1);
        assertThat(conf.settings.forService("health").fixedRate).isEqualTo(0.0001);

        Files.writeString(file, "services:\n  checkout: {min_rat: 0.05}\n");
        assertThatThrownBy(() -> ControllerConf.fromMap(
                        with("budget.spans-per-second", "100", "controller.services", file.toString())))
                .hasMessageContaining("--controller.services")
                .hasMessageContaining("service 'checkout': unknown field 'min_rat'");
    }
}

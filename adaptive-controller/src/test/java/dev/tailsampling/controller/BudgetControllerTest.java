package dev.tailsampling.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tailsampling.sampling.rates.SamplingRate;
import dev.tailsampling.sampling.rates.ServiceStats;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BudgetControllerTest {
    private static final long INTERVAL_MS = 300_000;
    private static final ServiceSettings DEFAULTS = new ServiceSettings(0.001, 1.0, 0.1, Double.NaN);

    private long now = 1_700_000_000_000L;

    private static ControllerSettings settings(
            double budget, long storageBytes, Map<String, ServiceSettings> services) {
        return settings(Budget.spansPerSecond(budget), storageBytes, services, true);
    }

    private static ControllerSettings settings(
            Budget budget, long storageBytes, Map<String, ServiceSettings> services, boolean guard) {
        return new ControllerSettings(
                budget, storageBytes, 0.2, 0.05, 0.5, Duration.ofMinutes(5), 0.5, DEFAULTS, services, guard);
    }

    /** One interval of a service's traffic as the sampler reports it, with no pre-sampling. */
    private ServiceStats window(String service, double tracesPerSecond, int spansPerTrace, double deterministicShare) {
        ServiceStats stats = ServiceStats.empty(service);
        stats.windowStartMillis = now;
        stats.windowEndMillis = now + INTERVAL_MS;
        stats.tracesSeen = Math.round(tracesPerSecond * INTERVAL_MS / 1000);
        stats.spansSeen = stats.tracesSeen * spansPerTrace;
        stats.bytesSeen = stats.spansSeen * 300;
        stats.tracesKeptDeterministic = Math.round(stats.tracesSeen * deterministicShare);
        stats.spansKeptDeterministic = stats.tracesKeptDeterministic * spansPerTrace;
        stats.bytesKeptDeterministic = stats.spansKeptDeterministic * 300;
        return stats;
    }

    private List<SamplingRate> step(
            BudgetController controller, ControllerState state, long storageUsed, ServiceStats... windows) {
        for (ServiceStats w : windows) {
            controller.record(state, w);
        }
        now += INTERVAL_MS;
        return controller.step(state, now, storageUsed);
    }

    private static SamplingRate rate(List<SamplingRate> rates, String service) {
        return rates.stream().filter(r -> r.service.equals(service)).findFirst().orElseThrow();
    }

    /** Spans per second the sampler would keep: deterministic keeps plus each pool at its rate. */
    private static double kept(ControllerState state) {
        return state.services.values().stream()
                .mapToDouble(s ->
                        s.deterministicUnitsPerSecond + s.poolUnitsPerSecond * Math.min(s.rate, state.presampleRate))
                .sum();
    }

    @Test
    void meetsTheBudgetAtSteadyState() {
        BudgetController controller = new BudgetController(settings(500, 0, Map.of()));
        ControllerState state = new ControllerState();
        for (int i = 0; i < 30; i++) {
            step(controller, state, 0, window("frontend", 100, 10, 0.02), window("search", 50, 4, 0.01));
        }
        // Deterministic keeps: 20 + 2 spans/s; the rest of the 500 goes to one equal rate.
        assertThat(kept(state)).isCloseTo(500, within(500 * 0.05));
        assertThat(state.services.get("frontend").rate).isEqualTo(state.services.get("search").rate);
        assertThat(state.presampleRate).isEqualTo(1.0);
    }

    @Test
    void noStepChangesARateByMoreThanTheCap() {
        BudgetController controller = new BudgetController(settings(300, 0, Map.of()));
        ControllerState state = new ControllerState();
        Random random = new Random(7);
        List<SamplingRate> before = step(controller, state, 0, window("a", 50, 10, 0.01), window("b", 20, 5, 0.0));
        for (int i = 0; i < 60; i++) {
            double surge = random.nextBoolean() ? 1 : 1 + random.nextInt(30);
            List<SamplingRate> after =
                    step(controller, state, 0, window("a", 50 * surge, 10, 0.01), window("b", 20 / surge, 5, 0.0));
            for (SamplingRate rate : after) {
                double old = rate(before, rate.service).rate;
                assertThat(rate.rate).isBetween(old * 0.8 - 1e-12, old * 1.2 + 1e-12);
                assertThat(rate.presampleRate).isBetween(rate(before, rate.service).presampleRate * 0.8 - 1e-12, 1.0);
            }
            before = after;
        }
    }

    @Test
    void ratesStayWithinTheirBoundsAndFloors() {
        Map<String, ServiceSettings> own = Map.of(
                "checkout",
                new ServiceSettings(0.3, 1.0, 0, Double.NaN),
                "search",
                new ServiceSettings(0.001, 0.05, 0, Double.NaN));
        BudgetController controller = new BudgetController(settings(50, 0, own));
        ControllerState state = new ControllerState();
        for (int i = 0; i < 40; i++) {
            List<SamplingRate> rates = step(
                    controller,
                    state,
                    0,
                    window("checkout", 100, 10, 0),
                    window("search", 0.1, 2, 0),
                    window("frontend", 1000, 10, 0));
            assertThat(rate(rates, "checkout").rate).isGreaterThanOrEqualTo(0.3);
            assertThat(rate(rates, "search").rate).isLessThanOrEqualTo(0.05);
            rates.forEach(r -> assertThat(r.rate).isBetween(0.001, 1.0));
        }
        // The budget cannot be met above checkout's minimum: everyone else goes to the lowest rate.
        assertThat(state.services.get("frontend").rate).isCloseTo(0.001, within(1e-4));
    }

    @Test
    void storageAbovePressureThresholdLowersRates() {
        BudgetController controller = new BudgetController(settings(500, 1000, Map.of()));
        ControllerState state = new ControllerState();
        for (int i = 0; i < 30; i++) {
            step(controller, state, 500, window("frontend", 100, 10, 0.0));
        }
        double relaxed = state.services.get("frontend").rate;
        List<SamplingRate> pressed = step(controller, state, 900, window("frontend", 100, 10, 0.0));
        assertThat(rate(pressed, "frontend").rate).isCloseTo(relaxed * 0.8, within(1e-9));
        assertThat(rate(pressed, "frontend").reason).isEqualTo("storage_pressure");
        for (int i = 0; i < 30; i++) {
            step(controller, state, 900, window("frontend", 100, 10, 0.0));
        }
        // 90 % full: half the budget.
        assertThat(kept(state)).isCloseTo(250, within(250 * 0.05));
    }

    @Test
    void theDefaultRecordCarriesTheBudgetInForceForTheGuard() {
        BudgetController controller = new BudgetController(settings(500, 1000, Map.of()));
        ControllerState state = new ControllerState();
        List<SamplingRate> relaxed = step(controller, state, 500, window("frontend", 100, 10, 0.0));
        assertThat(rate(relaxed, "*").budgetPerSecond).isEqualTo(500);
        assertThat(rate(relaxed, "*").budgetUnit).isEqualTo("spans");
        assertThat(rate(relaxed, "frontend").budgetPerSecond).isZero();
        List<SamplingRate> pressed = step(controller, state, 900, window("frontend", 100, 10, 0.0));
        assertThat(rate(pressed, "*").budgetPerSecond).isCloseTo(250, within(1e-9));

        ControllerSettings bytes = settings(Budget.bytesPerDay(86_400_000), 0, Map.of(), true);
        SamplingRate defaults = rate(step(new BudgetController(bytes), new ControllerState(), 0), "*");
        assertThat(defaults.budgetPerSecond).isCloseTo(1000, within(1e-9));
        assertThat(defaults.budgetUnit).isEqualTo("bytes");

        ControllerSettings unguarded = settings(Budget.spansPerSecond(500), 0, Map.of(), false);
        assertThat(rate(step(new BudgetController(unguarded), new ControllerState(), 0), "*").budgetPerSecond)
                .isZero();
    }

    @Test
    void aQuietServiceKeepsItsFloorAndASilentOneItsRate() {
        BudgetController controller = new BudgetController(settings(100, 0, Map.of()));
        ControllerState state = new ControllerState();
        List<SamplingRate> rates = null;
        for (int i = 0; i < 30; i++) {
            rates = step(controller, state, 0, window("frontend", 1000, 10, 0.0), window("admin", 0.2, 3, 0.0));
        }
        // frontend's share is 1 %, which would keep 0.002 admin traces per second; the floor is 0.1.
        assertThat(rate(rates, "frontend").rate).isCloseTo(0.01, within(0.001));
        assertThat(rate(rates, "admin").rate).isCloseTo(0.5, within(0.05));
        assertThat(rate(rates, "admin").reason).isEqualTo("floor");

        double held = rate(rates, "admin").rate;
        for (int i = 0; i < 3; i++) {
            rates = step(controller, state, 0, window("frontend", 1000, 10, 0.0));
            assertThat(rate(rates, "admin").rate).isEqualTo(held);
            assertThat(rate(rates, "admin").reason).isEqualTo("no_traffic");
        }
    }

    @Test
    void overridesWinAtOnceAndExpire() {
        BudgetController controller =
                new BudgetController(settings(100, 0, Map.of("search", new ServiceSettings(0.001, 1, 0, 0.25))));
        ControllerState state = new ControllerState();
        for (int i = 0; i < 30; i++) {
            step(controller, state, 0, window("frontend", 1000, 10, 0.0), window("search", 100, 1, 0.0));
        }
        double steady = state.services.get("frontend").rate;
        controller.override(
                state,
                new SamplingRate(
                        "frontend", 0.9, 1, "override", SamplingRate.SOURCE_MANUAL, now + 2 * INTERVAL_MS + 1, now),
                now);
        List<SamplingRate> rates =
                step(controller, state, 0, window("frontend", 1000, 10, 0.0), window("search", 100, 1, 0.0));
        assertThat(rate(rates, "frontend").rate).isEqualTo(0.9);
        assertThat(rate(rates, "frontend").reason).isEqualTo("override");
        assertThat(rate(rates, "frontend").expiresAtMillis).isGreaterThan(now);
        // The settings file's fixed rate holds whatever the budget says.
        assertThat(rate(rates, "search").rate).isEqualTo(0.25);
        assertThat(rate(rates, "search").reason).isEqualTo("override");

        step(controller, state, 0, window("frontend", 1000, 10, 0.0), window("search", 100, 1, 0.0));
        rates = step(controller, state, 0, window("frontend", 1000, 10, 0.0), window("search", 100, 1, 0.0));
        assertThat(rate(rates, "frontend").rate).isCloseTo(0.9 * 0.8, within(1e-9));
        assertThat(rate(rates, "frontend").reason).isEqualTo("over_budget");
        assertThat(rate(rates, "frontend").expiresAtMillis).isZero();
        for (int i = 0; i < 30; i++) {
            step(controller, state, 0, window("frontend", 1000, 10, 0.0), window("search", 100, 1, 0.0));
        }
        assertThat(state.services.get("frontend").rate).isCloseTo(steady, within(steady * 0.05));
    }

    @Test
    void deterministicKeepsAboveTheBudgetLowerThePresamplingRate() {
        BudgetController controller = new BudgetController(settings(100, 0, Map.of()));
        ControllerState state = new ControllerState();
        List<SamplingRate> rates = null;
        for (int i = 0; i < 40; i++) {
            // 200 spans/s of errors alone: twice the budget.
            rates = step(controller, state, 0, window("frontend", 100, 10, 0.2));
        }
        assertThat(rate(rates, "*").presampleRate).isCloseTo(0.5, within(0.03));
        assertThat(kept(state) * 1.0).isGreaterThan(0);
        assertThat(state.presampleRate * 200 + 800 * Math.min(state.presampleRate, state.services.get("frontend").rate))
                .isCloseTo(100, within(10.0));
    }
}

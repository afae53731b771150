package dev.tailsampling.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.controller.ClosedLoopSimulation.Interval;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The controller against the sampler's own decisions on synthetic traffic that steps up and back.
 * A rate moves by at most a factor (1 ± max-change) per interval, so following a traffic change of
 * k takes about ln k / ln(1 + max-change) intervals: a 10x step is run with max-change 0.5, the
 * 20 % default with a 2x step. Both must settle within ±10 % of the budget by the 6th interval after
 * each step and stay there, and while over budget the kept volume must fall at least as fast as
 * the cap allows.
 */
class ClosedLoopTest {
    static final double BUDGET = 850;
    static final int SETTLE = 6;

    static ControllerSettings settings(double maxChange) {
        return new ControllerSettings(
                Budget.spansPerSecond(BUDGET),
                0,
                maxChange,
                0.05,
                0.5,
                Duration.ofMinutes(5),
                0.9,
                new ServiceSettings(0.001, 1.0, 0.1, Double.NaN),
                Map.of());
    }

    @ParameterizedTest(name = "{0}x step, max change {1}, seed {2}")
    @CsvSource({"10, 0.5, 1", "10, 0.5, 2", "2, 0.2, 3"})
    void keptVolumeReturnsToTheBudgetAfterEachStep(double surge, double maxChange, long seed) {
        List<Interval> run = new ClosedLoopSimulation(settings(maxChange), ClosedLoopSimulation.shop(), seed)
                .run(new double[][] {{1, 12}, {surge, 14}, {1, 14}});
        int[] steps = {0, 12, 26, run.size()};
        for (int s = 0; s < 3; s++) {
            for (int i = steps[s] + SETTLE; i < steps[s + 1]; i++) {
                assertThat(run.get(i).keptSpansPerSecond())
                        .as("kept spans/s in interval %d, %d after the step", i, i - steps[s])
                        .isBetween(BUDGET * 0.9, BUDGET * 1.1);
            }
        }
        // After the step up, the representative excess shrinks by the cap's factor each interval
        // (5 % noise allowed); deterministic keeps are not the controller's to cut while they fit.
        Interval surged = run.get(12);
        assertThat(surged.keptSpansPerSecond()).isGreaterThan(BUDGET * surge * 0.8);
        double representative = surged.keptSpansPerSecond() - surged.deterministicSpansPerSecond();
        for (int i = 13; i < 26; i++) {
            Interval interval = run.get(i);
            double envelope =
                    (interval.deterministicSpansPerSecond() + representative * Math.pow(1 - maxChange, i - 12)) * 1.05;
            assertThat(interval.keptSpansPerSecond()).isLessThanOrEqualTo(Math.max(BUDGET * 1.1, envelope));
        }
        // After the step down, the volume climbs from below and never overshoots.
        for (int i = 26; i < run.size(); i++) {
            assertThat(run.get(i).keptSpansPerSecond()).isLessThanOrEqualTo(BUDGET * 1.1);
        }
    }
}

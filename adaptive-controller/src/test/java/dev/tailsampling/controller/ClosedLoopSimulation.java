package dev.tailsampling.controller;

import dev.tailsampling.sampling.ConsistentProbability;
import dev.tailsampling.sampling.Decision;
import dev.tailsampling.sampling.PolicyContext;
import dev.tailsampling.sampling.PolicySet;
import dev.tailsampling.sampling.TraceStats;
import dev.tailsampling.sampling.TraceSummary;
import dev.tailsampling.sampling.TraceView;
import dev.tailsampling.sampling.rates.SamplingRate;
import dev.tailsampling.sampling.rates.SamplingRates;
import dev.tailsampling.sampling.rates.ServiceStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The controller in a closed loop with the sampler's own decision code: synthetic traces of a few
 * services go through pre-sampling and the built-in policy set (errors, slow, representative at
 * the published rates), the decided traces become per-minute statistics, and the controller steps
 * on them every interval. Traffic follows a list of steps (a multiple of the base rate, for a
 * number of intervals).
 */
final class ClosedLoopSimulation {
    static final int WINDOWS_PER_INTERVAL = 5;
    static final long WINDOW_MILLIS = 60_000;

    /** A synthetic service: traces per second at 1x, spans per trace, share of errors and slow ones. */
    record ServiceLoad(String name, double tracesPerSecond, int spansPerTrace, double errorShare, double slowShare) {}

    /**
     * One interval of the run: traffic multiple, kept spans per second (all, and those kept by
     * deterministic policies) and the rates published at its end.
     */
    record Interval(
            int index,
            double multiple,
            double keptSpansPerSecond,
            double deterministicSpansPerSecond,
            double budget,
            Map<String, Double> rates,
            double presampleRate,
            Map<String, String> reasons) {}

    private final BudgetController controller;
    private final List<ServiceLoad> services;
    private final Random random;
    private final PolicySet policy;
    private final Set<String> representative;
    private SamplingRates rates = SamplingRates.none();
    private long now = 1_700_000_000_000L;

    ClosedLoopSimulation(ControllerSettings settings, List<ServiceLoad> services, long seed) {
        this.controller = new BudgetController(settings);
        this.services = services;
        this.random = new Random(seed);
        this.policy = PolicySet.builtIn(Duration.ofSeconds(1), settings.initialRate);
        this.representative = policy.representativeNames();
        policy.open(new PolicyContext(1, () -> now, () -> rates));
    }

    /** The default shop: two busy services, a medium one and a quiet one that only its floor keeps visible. */
    static List<ServiceLoad> shop() {
        return List.of(
                new ServiceLoad("frontend", 40, 12, 0.005, 0.01),
                new ServiceLoad("checkout", 15, 20, 0.01, 0.01),
                new ServiceLoad("search", 25, 6, 0.005, 0.01),
                new ServiceLoad("admin", 0.05, 4, 0.0, 0.0));
    }

    /** Runs {@code steps} as {multiple, intervals} pairs and returns every interval. */
    List<Interval> run(double[][] steps) {
        ControllerState state = new ControllerState();
        List<Interval> out = new ArrayList<>();
        int index = 0;
        for (double[] step : steps) {
            for (int i = 0; i < (int) step[1]; i++) {
                long keptSpans = 0;
                long deterministicSpans = 0;
                for (int w = 0; w < WINDOWS_PER_INTERVAL; w++) {
                    Map<String, ServiceStats> window = new HashMap<>();
                    for (ServiceLoad load : services) {
                        simulateWindow(load, step[0], window);
                    }
                    for (ServiceStats stats : window.values()) {
                        keptSpans += stats.spansKept;
                        deterministicSpans += stats.spansKeptDeterministic;
                    }
                    now += WINDOW_MILLIS;
                    for (ServiceStats stats : window.values()) {
                        stats.windowStartMillis = now - WINDOW_MILLIS;
                        stats.windowEndMillis = now;
                        controller.record(state, stats);
                    }
                }
                List<SamplingRate> published = controller.step(state, now, 0);
                rates = SamplingRates.of(published);
                Map<String, Double> byService = new LinkedHashMap<>();
                Map<String, String> reasons = new LinkedHashMap<>();
                for (SamplingRate rate : published) {
                    byService.put(rate.service, rate.rate);
                    reasons.put(rate.service, rate.reason);
                }
                double seconds = WINDOWS_PER_INTERVAL * WINDOW_MILLIS / 1000.0;
                out.add(new Interval(
                        index++,
                        step[0],
                        keptSpans / seconds,
                        deterministicSpans / seconds,
                        controller.settings().budget.perSecond,
                        byService,
                        state.presampleRate,
                        reasons));
            }
        }
        return out;
    }

    /** One minute of one service's traces, decided and counted into {@code window}. */
    private void simulateWindow(ServiceLoad load, double multiple, Map<String, ServiceStats> window) {
        double expected = load.tracesPerSecond() * multiple * WINDOW_MILLIS / 1000.0;
        int traces = (int) Math.floor(expected) + (random.nextDouble() < expected % 1 ? 1 : 0);
        double presample = rates.presampleRate(now, Long.MAX_VALUE);
        for (int t = 0; t < traces; t++) {
            String traceId = String.format("%016x%016x", random.nextLong(), random.nextLong());
            if (!ConsistentProbability.isSampled(traceId, presample)) {
                continue;
            }
            TraceSummary summary = TraceSummary.firstSeenAt(now);
            boolean error = random.nextDouble() < load.errorShare();
            long durationNanos = random.nextDouble() < load.slowShare() ? 2_000_000_000L : 50_000_000L;
            TraceStats spans = new TraceStats();
            spans.addSpan(0, durationNanos, error, true, load.name(), null);
            spans.spanCount = load.spansPerTrace();
            summary.add(spans, load.spansPerTrace() * 300L, now);
            Decision decision = policy.evaluate(TraceView.of(traceId, summary, List::of));
            window.computeIfAbsent(load.name(), ServiceStats::empty)
                    .add(ServiceStats.ofDecision(summary, decision, representative, presample));
        }
    }
}

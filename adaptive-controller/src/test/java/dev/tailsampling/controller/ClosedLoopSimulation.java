package dev.tailsampling.controller;

import dev.tailsampling.sampling.ConsistentProbability;
import dev.tailsampling.sampling.Decision;
import dev.tailsampling.sampling.PolicyContext;
import dev.tailsampling.sampling.PolicySet;
import dev.tailsampling.sampling.TraceStats;
import dev.tailsampling.sampling.TraceSummary;
import dev.tailsampling.sampling.TraceView;
import dev.tailsampling.sampling.rates.BudgetGuard;
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
import java.util.TreeMap;

/**
 * The controller in a closed loop with the sampler's own decision code: synthetic traces of a few
 * services go through pre-sampling and the built-in policy set (errors, slow, representative at
 * the published rates, thinned by the budget guard), second by second; the decided traces become
 * per-minute statistics, and the controller steps on them every interval. Traffic follows a list of steps (a multiple of the base rate, for a
 * number of intervals).
 */
final class ClosedLoopSimulation {
    static final int WINDOWS_PER_INTERVAL = 5;
    static final long WINDOW_MILLIS = 60_000;

    /** A synthetic service: traces per second at 1x, spans per trace, share of errors and slow ones. */
    record ServiceLoad(String name, double tracesPerSecond, int spansPerTrace, double errorShare, double slowShare) {}

    /**
     * One interval of the run: traffic multiple, kept spans per second (all, and those kept by
     * deterministic policies, and each second's), the rates published at its end, each service's
     * estimate of its spans from the kept ones, and error traces that passed pre-sampling and were
     * not kept.
     */
    record Interval(
            int index,
            double multiple,
            double keptSpansPerSecond,
            double deterministicSpansPerSecond,
            double[] keptSpansEachSecond,
            double budget,
            Map<String, Double> rates,
            double presampleRate,
            Map<String, String> reasons,
            Map<String, Estimate> estimates,
            long errorsNotKept) {}

    /**
     * A service's spans in an interval, {@code truth}, and what the kept traces weighted by their
     * adjusted counts make of it: the Horvitz-Thompson {@code estimate} and its variance.
     */
    record Estimate(double truth, double estimate, double variance) {
        Estimate plus(Estimate other) {
            return new Estimate(truth + other.truth, estimate + other.estimate, variance + other.variance);
        }
    }

    private final BudgetController controller;
    private final List<ServiceLoad> services;
    private final Random random;
    private final PolicySet policy;
    private final Set<String> representative;
    private final BudgetGuard guard;
    private SamplingRates rates = SamplingRates.none();
    private long now = 1_700_000_000_000L;

    /** The guard acts when the controller publishes the budget ({@link ControllerSettings#budgetGuard}). */
    ClosedLoopSimulation(ControllerSettings settings, List<ServiceLoad> services, long seed) {
        this.controller = new BudgetController(settings);
        this.services = services;
        this.random = new Random(seed);
        this.policy = PolicySet.builtIn(Duration.ofSeconds(1), settings.initialRate);
        this.representative = policy.representativeNames();
        PolicyContext context = new PolicyContext(1, () -> now, () -> rates);
        policy.open(context);
        this.guard = new BudgetGuard(context);
    }

    /** The default shop: two busy services, a medium one and a quiet one that only its floor keeps visible. */
    static List<ServiceLoad> shop() {
        return shop(1);
    }

    /** The default shop with {@code scale} times the traffic of each service. */
    static List<ServiceLoad> shop(double scale) {
        return List.of(
                new ServiceLoad("frontend", 40 * scale, 12, 0.005, 0.01),
                new ServiceLoad("checkout", 15 * scale, 20, 0.01, 0.01),
                new ServiceLoad("search", 25 * scale, 6, 0.005, 0.01),
                new ServiceLoad("admin", 0.05 * scale, 4, 0.0, 0.0));
    }

    /** Runs {@code steps} as {multiple, intervals} pairs and returns every interval. */
    List<Interval> run(double[][] steps) {
        ControllerState state = new ControllerState();
        List<Interval> out = new ArrayList<>();
        int seconds = (int) (WINDOWS_PER_INTERVAL * WINDOW_MILLIS / 1000);
        int index = 0;
        for (double[] step : steps) {
            for (int i = 0; i < (int) step[1]; i++) {
                Counts counts = new Counts(seconds);
                for (int w = 0; w < WINDOWS_PER_INTERVAL; w++) {
                    Map<String, ServiceStats> window = new HashMap<>();
                    long windowStart = now;
                    for (int second = 0; second < WINDOW_MILLIS / 1000; second++) {
                        for (ServiceLoad load : services) {
                            simulateSecond(load, step[0], window, counts);
                        }
                        counts.second++;
                        now += 1000;
                    }
                    for (ServiceStats stats : window.values()) {
                        stats.windowStartMillis = windowStart;
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
                out.add(new Interval(
                        index++,
                        step[0],
                        counts.keptSpans / seconds,
                        counts.deterministicSpans / seconds,
                        counts.keptEachSecond,
                        controller.settings().budget.perSecond,
                        byService,
                        state.presampleRate,
                        reasons,
                        counts.estimates,
                        counts.errorsNotKept));
            }
        }
        return out;
    }

    /** What one interval kept, second by second and per service. */
    private static final class Counts {
        final double[] keptEachSecond;
        final Map<String, Estimate> estimates = new TreeMap<>();
        int second;
        double keptSpans;
        double deterministicSpans;
        long errorsNotKept;

        Counts(int seconds) {
            keptEachSecond = new double[seconds];
        }
    }

    /** One second of one service's traces, decided by the policies and the guard, counted into {@code window}. */
    private void simulateSecond(ServiceLoad load, double multiple, Map<String, ServiceStats> window, Counts counts) {
        double expected = load.tracesPerSecond() * multiple;
        int traces = (int) Math.floor(expected) + (random.nextDouble() < expected % 1 ? 1 : 0);
        double presample = rates.presampleRate(now, Long.MAX_VALUE);
        int spanCount = load.spansPerTrace();
        Estimate estimate = new Estimate((double) traces * spanCount, 0, 0);
        for (int t = 0; t < traces; t++) {
            String traceId = hex(random.nextLong()) + hex(random.nextLong());
            boolean error = random.nextDouble() < load.errorShare();
            long durationNanos = random.nextDouble() < load.slowShare() ? 2_000_000_000L : 50_000_000L;
            if (!ConsistentProbability.isSampled(traceId, presample)) {
                continue;
            }
            TraceSummary summary = TraceSummary.firstSeenAt(now);
            TraceStats spans = new TraceStats();
            spans.addSpan(0, durationNanos, error, true, load.name(), null);
            spans.spanCount = spanCount;
            summary.add(spans, spanCount * 300L, now);
            summary.presampleRate = presample;
            BudgetGuard.Decided guarded =
                    guard.decide(policy, representative, TraceView.of(traceId, summary, List::of), now);
            Decision decision = guarded.decision();
            ServiceStats stats = guarded.stats();
            window.computeIfAbsent(load.name(), ServiceStats::empty).add(stats);
            if (decision.keeps()) {
                double p = summary.keptProbability(decision.probability());
                estimate = estimate.plus(new Estimate(0, spanCount / p, (1 - p) / (p * p) * spanCount * spanCount));
                counts.keptEachSecond[counts.second] += spanCount;
                counts.keptSpans += spanCount;
                counts.deterministicSpans += stats.spansKeptDeterministic;
            } else if (error) {
                counts.errorsNotKept++;
            }
        }
        counts.estimates.merge(load.name(), estimate, Estimate::plus);
    }

    /** 16 hex digits, faster than a format string on millions of trace ids. */
    private static String hex(long bits) {
        String digits = Long.toHexString(bits);
        return "0".repeat(16 - digits.length()) + digits;
    }
}

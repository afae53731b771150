package dev.tailsampling.controller;

import dev.tailsampling.sampling.rates.SamplingRate;
import dev.tailsampling.sampling.rates.ServiceStats;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.DoubleUnaryOperator;

/**
 * Sets each service's representative rate and the pre-sampling rate so that the kept volume meets
 * the budget; see {@code docs/controller.md}. Each step:
 *
 * <ol>
 *   <li>measures each service's traffic over the windows received since the last step, before
 *       pre-sampling, and smooths it (a jump of more than half is taken at once);
 *   <li>counts deterministic keeps against the budget first, then finds the one rate (the water
 *       level) that, applied to every service within its bounds, floor and override, spends the
 *       rest: an equal rate keeps each service's share of the sample equal to its share of traffic;
 *   <li>moves every rate toward its target by at most {@code maxChange}, and not at all within
 *       {@code tolerance};
 *   <li>only if deterministic keeps alone (with every rate at its lowest) exceed the budget,
 *       lowers the pre-sampling rate, by at most {@code maxChange}, until they fit.
 * </ol>
 *
 * Plain Java; the Flink job keeps the {@link ControllerState} and calls {@link #step} on a timer.
 */
public final class BudgetController implements Serializable {
    private static final long serialVersionUID = 1L;

    /** A traffic change larger than this share of the smoothed value is a step, taken at once. */
    static final double JUMP = 0.5;

    private final ControllerSettings settings;

    public BudgetController(ControllerSettings settings) {
        this.settings = settings;
    }

    public ControllerSettings settings() {
        return settings;
    }

    /** Adds a window of statistics to what the next step allocates from. */
    public void record(ControllerState state, ServiceStats window) {
        state.pending.computeIfAbsent(window.service, ServiceStats::empty).add(window);
    }

    /** A manual rate for a service (or {@code *}, the default), in force until it expires. */
    public void override(ControllerState state, SamplingRate manual, long nowMillis) {
        if (!manual.inForceAt(nowMillis)) {
            return;
        }
        ServiceState service = service(state, manual.service);
        service.overrideRate = manual.rate;
        service.overrideExpiresAtMillis = manual.expiresAtMillis;
    }

    /**
     * Allocates the budget from the statistics received since the last step and returns the new
     * rate of every known service and the default record ({@code *}, which carries the
     * pre-sampling rate).
     *
     * @param storageBytesUsed total file size of the tables now
     */
    public List<SamplingRate> step(ControllerState state, long nowMillis, long storageBytesUsed) {
        double seconds = observedSeconds(state, nowMillis);
        state.lastStepMillis = nowMillis;
        service(state, SamplingRate.DEFAULT_KEY);
        state.pending.keySet().forEach(name -> service(state, name));
        state.services.forEach((name, service) -> observe(service, state.pending.get(name), seconds));
        state.pending.clear();

        double used = settings.storageBytes > 0 ? (double) storageBytesUsed / settings.storageBytes : 0;
        boolean storagePressure = used > ControllerSettings.STORAGE_PRESSURE_THRESHOLD;
        double budget = storagePressure
                ? settings.budget.perSecond
                        * Math.max(0, (1 - used) / (1 - ControllerSettings.STORAGE_PRESSURE_THRESHOLD))
                : settings.budget.perSecond;
        RateReason lower = storagePressure ? RateReason.STORAGE_PRESSURE : RateReason.OVER_BUDGET;

        double level = waterLevel(state, budget, nowMillis);
        for (Map.Entry<String, ServiceState> e : state.services.entrySet()) {
            moveService(e.getKey(), e.getValue(), level, lower, nowMillis);
        }
        double presample = move(
                state.presampleRate, presampleTarget(state, budget, level, nowMillis), settings.defaults.minRate, 1.0);
        state.presampleReason = reason(state.presampleRate, presample, lower).label();
        state.presampleRate = presample;

        List<SamplingRate> rates = new ArrayList<>();
        new TreeMap<>(state.services).forEach((name, service) -> {
            boolean isDefault = SamplingRate.DEFAULT_KEY.equals(name);
            String reason = isDefault && !RateReason.STEADY.label().equals(state.presampleReason)
                    ? state.presampleReason
                    : service.reason;
            SamplingRate rate = new SamplingRate(
                    name,
                    service.rate,
                    isDefault ? state.presampleRate : 1.0,
                    reason,
                    SamplingRate.SOURCE_CONTROLLER,
                    service.hasOverrideAt(nowMillis) ? service.overrideExpiresAtMillis : 0,
                    nowMillis);
            if (isDefault && settings.budgetGuard) {
                // The budget in force, shrunk under storage pressure, for the sampler's guard (0 would be no guard).
                rate.budgetPerSecond = Math.max(budget, Double.MIN_NORMAL);
                rate.budgetUnit =
                        settings.budget.unit == Budget.Unit.BYTES ? SamplingRate.UNIT_BYTES : SamplingRate.UNIT_SPANS;
            }
            rates.add(rate);
        });
        return rates;
    }

    private ServiceState service(ControllerState state, String name) {
        ServiceState existing = state.services.get(name);
        if (existing != null) {
            return existing;
        }
        double start = SamplingRate.DEFAULT_KEY.equals(name)
                ? settings.initialRate
                : settings.forService(name).bound(service(state, SamplingRate.DEFAULT_KEY).rate);
        ServiceState created = ServiceState.startingAt(start);
        state.services.put(name, created);
        return created;
    }

    /** Seconds covered by the pending windows, else since the last step, else one interval. */
    private double observedSeconds(ControllerState state, long nowMillis) {
        long start = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;
        for (ServiceStats window : state.pending.values()) {
            if (window.windowEndMillis > 0) {
                start = Math.min(start, window.windowStartMillis);
                end = Math.max(end, window.windowEndMillis);
            }
        }
        long millis = end > start
                ? end - start
                : state.lastStepMillis > 0 ? nowMillis - state.lastStepMillis : settings.interval.toMillis();
        return Math.max(1.0, millis / 1000.0);
    }

    /** Smooths the service's traffic with the interval's window; a silent interval counts as none. */
    private void observe(ServiceState service, ServiceStats window, double seconds) {
        if (window == null || window.tracesSeen == 0) {
            service.tracesPerSecond = 0;
            service.poolTracesPerSecond = 0;
            service.poolUnitsPerSecond = 0;
            service.deterministicUnitsPerSecond = 0;
            return;
        }
        double scale = 1.0 / (seconds * window.presampleRate);
        boolean spans = settings.budget.unit == Budget.Unit.SPANS;
        double traces = window.tracesSeen * scale;
        double poolTraces = (window.tracesSeen - window.tracesKeptDeterministic) * scale;
        double deterministic = (spans ? window.spansKeptDeterministic : window.bytesKeptDeterministic) * scale;
        double pool = (spans ? window.spansSeen : window.bytesSeen) * scale - deterministic;
        double w = service.tracesPerSecond <= 0
                        || Math.abs(traces - service.tracesPerSecond) > JUMP * service.tracesPerSecond
                ? 1.0
                : settings.smoothing;
        service.tracesPerSecond = blend(service.tracesPerSecond, traces, w);
        service.poolTracesPerSecond = blend(service.poolTracesPerSecond, poolTraces, w);
        service.poolUnitsPerSecond = blend(service.poolUnitsPerSecond, pool, w);
        service.deterministicUnitsPerSecond = blend(service.deterministicUnitsPerSecond, deterministic, w);
    }

    private static double blend(double old, double fresh, double weight) {
        return weight >= 1.0 ? fresh : old + weight * (fresh - old);
    }

    /**
     * The rate a service gets at water level {@code level}: its override or fixed rate, else the
     * level raised to its floor and held within its bounds.
     */
    private double targetAt(String name, ServiceState service, double level, long nowMillis) {
        if (service.hasOverrideAt(nowMillis)) {
            return service.overrideRate;
        }
        ServiceSettings own = settings.forService(name);
        if (own.hasFixedRate()) {
            return own.fixedRate;
        }
        return own.bound(Math.max(level, floorRate(own, service)));
    }

    private static double floorRate(ServiceSettings own, ServiceState service) {
        return service.poolTracesPerSecond > 0
                ? Math.min(1.0, own.floorTracesPerSecond / service.poolTracesPerSecond)
                : 0.0;
    }

    /** Kept units per second if every service had its target at water level {@code level}. */
    private double keptAt(ControllerState state, double level, long nowMillis) {
        double kept = 0;
        for (Map.Entry<String, ServiceState> e : state.services.entrySet()) {
            ServiceState service = e.getValue();
            kept += service.deterministicUnitsPerSecond
                    + service.poolUnitsPerSecond * targetAt(e.getKey(), service, level, nowMillis);
        }
        return kept;
    }

    /** The highest level in [0, 1] whose kept volume fits the budget (0 if none fits). */
    private double waterLevel(ControllerState state, double budget, long nowMillis) {
        return highestFitting(level -> keptAt(state, level, nowMillis), budget);
    }

    /**
     * 1, unless deterministic keeps with every rate at its lowest target already exceed the budget:
     * then the pre-sampling rate that brings them within it. Pre-sampling uses the same trace-id bits
     * as the representative sample, so a trace passes both with probability min(g, rate): lowering
     * g sheds deterministic keeps and only those representative ones above g.
     */
    private double presampleTarget(ControllerState state, double budget, double level, long nowMillis) {
        if (level > 0 || keptAt(state, 0.0, nowMillis) <= budget) {
            return 1.0;
        }
        return highestFitting(
                presample -> {
                    double kept = 0;
                    for (Map.Entry<String, ServiceState> e : state.services.entrySet()) {
                        ServiceState service = e.getValue();
                        double rate = targetAt(e.getKey(), service, 0.0, nowMillis);
                        kept += presample * service.deterministicUnitsPerSecond
                                + service.poolUnitsPerSecond * Math.min(presample, rate);
                    }
                    return kept;
                },
                budget);
    }

    /** The highest x in [0, 1] with {@code kept(x) <= budget}, for a {@code kept} rising in x. */
    private static double highestFitting(DoubleUnaryOperator kept, double budget) {
        if (kept.applyAsDouble(1.0) <= budget) {
            return 1.0;
        }
        double low = 0;
        double high = 1;
        for (int i = 0; i < 60; i++) {
            double mid = (low + high) / 2;
            if (kept.applyAsDouble(mid) <= budget) {
                low = mid;
            } else {
                high = mid;
            }
        }
        return low;
    }

    private void moveService(String name, ServiceState service, double level, RateReason lower, long nowMillis) {
        if (service.overrideRate >= 0 && !service.hasOverrideAt(nowMillis)) {
            service.overrideRate = -1;
            service.overrideExpiresAtMillis = 0;
        }
        ServiceSettings own = settings.forService(name);
        if (service.hasOverrideAt(nowMillis) || own.hasFixedRate()) {
            // An operator's rate applies at once, uncapped.
            service.rate = targetAt(name, service, level, nowMillis);
            service.reason = RateReason.OVERRIDE.label();
            return;
        }
        // The default rate follows the level even without rootless traces: new services start at it.
        if (service.silent() && !SamplingRate.DEFAULT_KEY.equals(name)) {
            service.reason = RateReason.NO_TRAFFIC.label();
            return;
        }
        double target = targetAt(name, service, level, nowMillis);
        double moved = move(service.rate, target, own.minRate, own.maxRate);
        // The floor holds a rate up; a rate coming down is over budget even if a floor stops it later.
        boolean floor = target > own.bound(level) && moved >= service.rate;
        service.reason = floor
                ? RateReason.FLOOR.label()
                : reason(service.rate, moved, lower).label();
        service.rate = moved;
    }

    /** {@code current} moved toward {@code target} by at most the largest change, within bounds. */
    private double move(double current, double target, double min, double max) {
        double next = current;
        if (Math.abs(target - current) > settings.tolerance * current) {
            double step = settings.maxChange * current;
            next = Math.max(current - step, Math.min(current + step, target));
        }
        return Math.max(min, Math.min(max, next));
    }

    private static RateReason reason(double before, double after, RateReason lower) {
        if (after < before) {
            return lower;
        }
        return after > before ? RateReason.UNDER_BUDGET : RateReason.STEADY;
    }
}

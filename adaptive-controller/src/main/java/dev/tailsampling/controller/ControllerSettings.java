package dev.tailsampling.controller;

import java.io.Serializable;
import java.time.Duration;
import java.util.Map;

/** Everything the allocation is told rather than measures: the budget, the limits and the pace. */
public final class ControllerSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Above this share of the storage budget, rates come down. */
    public static final double STORAGE_PRESSURE_THRESHOLD = 0.8;

    public final Budget budget;
    /** Bytes the tables may hold, or 0 for no storage limit. */
    public final long storageBytes;
    /** Largest relative change of a rate per step, such as 0.2 for 20 %. */
    public final double maxChange;
    /** A target within this relative distance of the current rate leaves it alone. */
    public final double tolerance;
    /** Weight of the newest interval in the smoothed traffic, in (0, 1]. */
    public final double smoothing;

    public final Duration interval;
    /** The default rate before the first step. */
    public final double initialRate;
    /** Settings of a service that has none of its own; also the bounds of the pre-sampling rate. */
    public final ServiceSettings defaults;

    public final Map<String, ServiceSettings> services;
    /** Whether the budget goes out with the rates, for the sampler's guard to hold each second to. */
    public final boolean budgetGuard;

    public ControllerSettings(
            Budget budget,
            long storageBytes,
            double maxChange,
            double tolerance,
            double smoothing,
            Duration interval,
            double initialRate,
            ServiceSettings defaults,
            Map<String, ServiceSettings> services,
            boolean budgetGuard) {
        if (storageBytes < 0) {
            throw new IllegalArgumentException("the storage budget must not be negative, was " + storageBytes);
        }
        if (!(maxChange > 0 && maxChange < 1)) {
            throw new IllegalArgumentException("the largest change must be in (0, 1), was " + maxChange);
        }
        if (!(tolerance >= 0 && tolerance < maxChange)) {
            throw new IllegalArgumentException("the tolerance must be in [0, largest change), was " + tolerance);
        }
        if (!(smoothing > 0 && smoothing <= 1)) {
            throw new IllegalArgumentException("the smoothing weight must be in (0, 1], was " + smoothing);
        }
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("the interval must be positive, was " + interval);
        }
        this.budget = budget;
        this.storageBytes = storageBytes;
        this.maxChange = maxChange;
        this.tolerance = tolerance;
        this.smoothing = smoothing;
        this.interval = interval;
        this.initialRate = defaults.bound(initialRate);
        this.defaults = defaults;
        this.services = Map.copyOf(services);
        this.budgetGuard = budgetGuard;
    }

    /** Budget and pace with the documented defaults for everything else. */
    public static ControllerSettings of(Budget budget, Duration interval) {
        return new ControllerSettings(
                budget,
                0,
                0.2,
                0.05,
                0.5,
                interval,
                0.01,
                new ServiceSettings(0.001, 1.0, 0.1, Double.NaN),
                Map.of(),
                true);
    }

    public ServiceSettings forService(String service) {
        return services.getOrDefault(service, defaults);
    }
}

package dev.tailsampling.controller;

import java.io.Serializable;

/**
 * What an operator fixes for one service: the rate's bounds, a floor of kept traces per second so
 * that a quiet service stays visible, and optionally a fixed rate that the controller never moves.
 */
public final class ServiceSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    public final double minRate;
    public final double maxRate;
    public final double floorTracesPerSecond;
    /** A rate that overrides the allocation, or NaN for none. */
    public final double fixedRate;

    public ServiceSettings(double minRate, double maxRate, double floorTracesPerSecond, double fixedRate) {
        if (!(minRate > 0 && minRate <= 1)) {
            throw new IllegalArgumentException("min_rate must be in (0, 1], was " + minRate);
        }
        if (!(maxRate >= minRate && maxRate <= 1)) {
            throw new IllegalArgumentException(
                    "max_rate must be in [min_rate, 1] = [" + minRate + ", 1], was " + maxRate);
        }
        if (!(floorTracesPerSecond >= 0)) {
            throw new IllegalArgumentException(
                    "floor_traces_per_second must not be negative, was " + floorTracesPerSecond);
        }
        if (!Double.isNaN(fixedRate) && !(fixedRate >= 0 && fixedRate <= 1)) {
            throw new IllegalArgumentException("rate must be in [0, 1], was " + fixedRate);
        }
        this.minRate = minRate;
        this.maxRate = maxRate;
        this.floorTracesPerSecond = floorTracesPerSecond;
        this.fixedRate = fixedRate;
    }

    public boolean hasFixedRate() {
        return !Double.isNaN(fixedRate);
    }

    /** {@code rate} within this service's bounds. */
    double bound(double rate) {
        return Math.max(minRate, Math.min(maxRate, rate));
    }
}

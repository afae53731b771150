package dev.tailsampling.controller;

/**
 * What the controller remembers of one service between steps: the rate it set and why, the
 * smoothed traffic it allocated from, and a manual override. Traffic is per second and counts what
 * arrived before pre-sampling. A Flink POJO, kept in the controller job's state.
 */
public class ServiceState {
    public double rate;
    public String reason;
    /** Smoothed traces per second; -1 before the first traffic. */
    public double tracesPerSecond = -1;
    /** Traces per second that no deterministic policy kept: what the representative rate applies to. */
    public double poolTracesPerSecond;
    /** Budget units per second of those traces. */
    public double poolUnitsPerSecond;
    /** Budget units per second that deterministic policies kept. */
    public double deterministicUnitsPerSecond;
    /** A manual rate, or -1 for none. */
    public double overrideRate = -1;
    /** When the manual rate ends (epoch ms), 0 for never. */
    public long overrideExpiresAtMillis;

    public ServiceState() {}

    static ServiceState startingAt(double rate) {
        ServiceState state = new ServiceState();
        state.rate = rate;
        state.reason = RateReason.STEADY.label();
        return state;
    }

    boolean hasOverrideAt(long nowMillis) {
        return overrideRate >= 0 && (overrideExpiresAtMillis == 0 || nowMillis < overrideExpiresAtMillis);
    }

    boolean silent() {
        return tracesPerSecond <= 0;
    }
}

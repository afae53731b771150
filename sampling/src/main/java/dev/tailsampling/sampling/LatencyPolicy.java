package dev.tailsampling.sampling;

import java.time.Duration;

/** Keeps every trace whose duration, earliest start to latest end, reaches a threshold. */
final class LatencyPolicy implements SamplingPolicy {
    private static final long serialVersionUID = 1L;

    private final String name;
    private final long thresholdNanos;

    LatencyPolicy(String name, Duration threshold) {
        if (threshold.isNegative() || threshold.isZero()) {
            throw new IllegalArgumentException(
                    "latency threshold of policy " + name + " must be positive, was " + threshold);
        }
        this.name = name;
        this.thresholdNanos = threshold.toNanos();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Decision evaluate(TraceView trace) {
        long duration = trace.summary().durationNanos();
        return duration >= thresholdNanos
                ? Decision.sampled(
                        name,
                        "duration " + duration / 1_000_000 + " ms >= " + thresholdNanos / 1_000_000 + " ms",
                        1.0)
                : Decision.notSampled();
    }
}

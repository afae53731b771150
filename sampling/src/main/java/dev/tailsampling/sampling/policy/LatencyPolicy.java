package dev.tailsampling.sampling.policy;

import dev.tailsampling.sampling.Decision;
import dev.tailsampling.sampling.SamplingPolicy;
import dev.tailsampling.sampling.TraceView;
import java.time.Duration;

/**
 * Keeps a trace by its duration, from the earliest start to the latest end, in whole milliseconds
 * (the OpenTelemetry Collector's rule): at least the threshold; with an upper bound, above the
 * threshold and at most the bound. Decided on the summary, without reading the spans.
 */
public final class LatencyPolicy implements SamplingPolicy {
    private static final long serialVersionUID = 1L;

    private final String name;
    private final long thresholdMillis;
    /** 0 for no upper bound. */
    private final long upperMillis;

    /** At least {@code threshold}. */
    public LatencyPolicy(String name, Duration threshold) {
        this(name, threshold, Duration.ZERO);
    }

    /** Above {@code threshold} and at most {@code upper}; {@code upper} zero for no bound. */
    public LatencyPolicy(String name, Duration threshold, Duration upper) {
        if (threshold.isNegative() || upper.isNegative()) {
            throw new IllegalArgumentException("latency bounds of policy " + name + " must not be negative");
        }
        if (!upper.isZero() && upper.compareTo(threshold) <= 0) {
            throw new IllegalArgumentException("the upper bound (" + upper.toMillis() + " ms) of policy " + name
                    + " must be above its threshold (" + threshold.toMillis() + " ms)");
        }
        this.name = name;
        this.thresholdMillis = threshold.toMillis();
        this.upperMillis = upper.toMillis();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Decision evaluate(TraceView trace) {
        long ms = trace.summary().durationNanos() / 1_000_000L;
        boolean match = upperMillis == 0 ? ms >= thresholdMillis : ms > thresholdMillis && ms <= upperMillis;
        return match ? Decision.sampled(name, "duration " + ms + " ms", 1.0) : Decision.notSampled();
    }
}

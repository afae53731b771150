package dev.tailsampling.operators.decide;

import java.io.Serializable;
import java.time.Duration;

/**
 * When a buffered trace is decided: after {@code decisionWait} without a new span ({@code
 * decisionWaitAfterRoot} once its root span has arrived), {@code maxTraceDuration} after its first
 * span, or at once when it holds {@code maxSpansPerTrace} spans or {@code maxTraceBytes} of OTLP
 * bytes. Checked here, once, for every caller.
 */
public record BufferLimits(
        Duration decisionWait,
        Duration decisionWaitAfterRoot,
        Duration maxTraceDuration,
        int maxSpansPerTrace,
        long maxTraceBytes)
        implements Serializable {

    public BufferLimits {
        if (decisionWait.isNegative() || decisionWait.isZero()) {
            throw new IllegalArgumentException("decision wait must be positive: " + decisionWait);
        }
        if (decisionWaitAfterRoot.isNegative()
                || decisionWaitAfterRoot.isZero()
                || decisionWaitAfterRoot.compareTo(decisionWait) > 0) {
            throw new IllegalArgumentException("decision wait after the root (" + decisionWaitAfterRoot.toMillis()
                    + " ms) must be positive and at most the decision wait (" + decisionWait.toMillis() + " ms)");
        }
        if (maxTraceDuration.compareTo(decisionWait) < 0) {
            throw new IllegalArgumentException("max trace duration (" + maxTraceDuration.toMillis()
                    + " ms) must be at least the decision wait (" + decisionWait.toMillis() + " ms)");
        }
        if (maxSpansPerTrace < 1) {
            throw new IllegalArgumentException("max spans per trace must be at least 1: " + maxSpansPerTrace);
        }
        if (maxTraceBytes < 1) {
            throw new IllegalArgumentException("max trace bytes must be at least 1: " + maxTraceBytes);
        }
    }

    /** Limits that wait as long after the root as before it. */
    public BufferLimits(Duration decisionWait, Duration maxTraceDuration, int maxSpansPerTrace, long maxTraceBytes) {
        this(decisionWait, decisionWait, maxTraceDuration, maxSpansPerTrace, maxTraceBytes);
    }
}

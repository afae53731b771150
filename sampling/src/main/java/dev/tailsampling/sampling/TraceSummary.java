package dev.tailsampling.sampling;

/**
 * What the sampler keeps per buffered trace beside its spans: enough to decide on errors and
 * latency without reading the spans, and the arrival times that drive the decision timer.
 * Mutable so that the keyed function can update it in place; a Flink POJO for its state.
 */
public class TraceSummary {
    public int spanCount;
    /** Encoded OTLP size of the buffered spans, for byte-rate limits. */
    public long byteCount;
    public long minStartNanos = Long.MAX_VALUE;
    public long maxEndNanos = Long.MIN_VALUE;
    public boolean errorSeen;
    public boolean rootSeen;
    /** Service and operation of the root span, null until it arrives. */
    public String rootService;
    public String rootOperation;
    /** Processing time (ms) at which the first span arrived. */
    public long firstSeenMillis;
    /** Processing time (ms) at which the latest span arrived. */
    public long lastSeenMillis;
    /** Processing time (ms) of the one timer registered for this trace. */
    public long timerMillis;
    /**
     * The lowest pre-sampling rate the trace's spans passed at. Pre-sampling and the probabilistic
     * policies test the same trace-id bits, so a trace kept by a policy at probability p was kept
     * with probability min(this, p).
     */
    public double presampleRate = 1.0;
    /** The head sampler's probability, from the lowest {@code ot=th:} threshold of the trace's spans. */
    public double headProbability = 1.0;
    /** Whether the head drew from an explicit {@code ot=rv:} randomness rather than the trace id's bits. */
    public boolean headRandomnessExplicit;

    public TraceSummary() {}

    /** Starts a summary for a trace whose first span arrived at {@code nowMillis}. */
    public static TraceSummary firstSeenAt(long nowMillis) {
        TraceSummary summary = new TraceSummary();
        summary.firstSeenMillis = nowMillis;
        summary.lastSeenMillis = nowMillis;
        return summary;
    }

    /** Folds arriving spans (count, encoded size, earliest start, latest end, any error, any root) in. */
    public void add(
            int spans,
            long bytes,
            long startNanos,
            long endNanos,
            boolean error,
            boolean root,
            long nowMillis) {
        spanCount += spans;
        byteCount += bytes;
        minStartNanos = Math.min(minStartNanos, startNanos);
        maxEndNanos = Math.max(maxEndNanos, endNanos);
        errorSeen |= error;
        rootSeen |= root;
        lastSeenMillis = nowMillis;
    }

    /**
     * The chance the trace had of being kept through the head, pre-sampling and a tail decision of
     * probability {@code tail}. The job's stages give probabilities of the traces that reach it and
     * test the random bits against them times the head's ({@link TraceView#sampledAt}), so the head's
     * probability multiplies; pre-sampling and the tail test the same bits, so between them the
     * smaller decides.
     */
    public double keptProbability(double tail) {
        return headProbability * Math.min(presampleRate, tail);
    }

    /** End-to-end duration: from the earliest start to the latest end, 0 before any span. */
    public long durationNanos() {
        return spanCount == 0 ? 0 : maxEndNanos - minStartNanos;
    }
}

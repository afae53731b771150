package dev.tailsampling.sampling;

/**
 * What is known of some spans of one trace without reading them again: how many, when they began
 * and ended, whether one failed, whether one is the root and which service and operation it names,
 * and the sampling probabilities they came through. The one fold of span facts: the decoder folds
 * spans into a fragment's, the sampler merges fragments into the buffered trace's.
 */
public class TraceStats {
    public int spanCount;
    public long minStartNanos = Long.MAX_VALUE;
    public long maxEndNanos = Long.MIN_VALUE;
    public boolean errorSeen;
    public boolean rootSeen;
    /** Service and operation of the root span, null until it arrives. */
    public String rootService;

    public String rootOperation;
    /**
     * The lowest pre-sampling rate the spans passed at. Pre-sampling and the probabilistic policies
     * test the same trace-id bits, so a trace kept by a policy at probability p was kept with
     * probability min(this, p).
     */
    public double presampleRate = 1.0;
    /** The head sampler's probability, from the lowest {@code ot=th:} threshold of the spans. */
    public double headProbability = 1.0;
    /** Whether the head drew from an explicit {@code ot=rv:} randomness rather than the trace id's bits. */
    public boolean headRandomnessExplicit;

    public TraceStats() {}

    /** Folds one span in; {@code service} and {@code operation} count only if it is the root. */
    public void addSpan(long startNanos, long endNanos, boolean error, boolean root, String service, String operation) {
        spanCount++;
        minStartNanos = Math.min(minStartNanos, startNanos);
        maxEndNanos = Math.max(maxEndNanos, endNanos);
        errorSeen |= error;
        if (root) {
            rootSeen = true;
            rootService = service;
            rootOperation = operation;
        }
    }

    /** Folds one decoded span in (its head probability is not on it, and stays as it is). */
    public void addSpan(Span span) {
        addSpan(
                span.startTimeUnixNano,
                span.endTimeUnixNano,
                span.error,
                span.isRoot(),
                span.serviceName,
                span.operationName);
    }

    /** Folds in the head sampler's probability for a span and whether its randomness was explicit. */
    public void addHead(double probability, boolean explicitRandomness) {
        headProbability = Math.min(headProbability, probability);
        headRandomnessExplicit |= explicitRandomness;
    }

    /** Folds {@code other}'s spans in, as if each had been added here. */
    public void merge(TraceStats other) {
        spanCount += other.spanCount;
        minStartNanos = Math.min(minStartNanos, other.minStartNanos);
        maxEndNanos = Math.max(maxEndNanos, other.maxEndNanos);
        errorSeen |= other.errorSeen;
        if (other.rootSeen) {
            rootSeen = true;
            rootService = other.rootService;
            rootOperation = other.rootOperation;
        }
        presampleRate = Math.min(presampleRate, other.presampleRate);
        addHead(other.headProbability, other.headRandomnessExplicit);
    }

    /** End-to-end duration: from the earliest start to the latest end, 0 before any span. */
    public long durationNanos() {
        return spanCount == 0 ? 0 : maxEndNanos - minStartNanos;
    }
}

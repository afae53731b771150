package dev.tailsampling.sampling;

/**
 * What the sampler keeps per buffered trace beside its spans: the fold of the spans so far, enough
 * to decide on errors and latency without reading them, their encoded size, and the arrival times
 * that drive the decision. Mutable so that the sampler can update it in place; a Flink POJO for its
 * state (its fields, the inherited ones included, are savepoint keys: never rename them).
 */
public class TraceSummary extends TraceStats {
    /** Encoded OTLP size of the buffered spans, for byte-rate limits. */
    public long byteCount;
    /** Processing time (ms) at which the first span arrived. */
    public long firstSeenMillis;
    /** Processing time (ms) at which the latest span arrived. */
    public long lastSeenMillis;
    /** Processing time (ms) at which the sampler is next due to look at the trace: its one timer. */
    public long timerMillis;

    public TraceSummary() {}

    /** Starts a summary for a trace whose first span arrived at {@code nowMillis}. */
    public static TraceSummary firstSeenAt(long nowMillis) {
        TraceSummary summary = new TraceSummary();
        summary.firstSeenMillis = nowMillis;
        summary.lastSeenMillis = nowMillis;
        return summary;
    }

    /** Folds arriving spans in: their fold and their encoded size, as they arrive at {@code nowMillis}. */
    public void add(TraceStats spans, long bytes, long nowMillis) {
        merge(spans);
        byteCount += bytes;
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
}

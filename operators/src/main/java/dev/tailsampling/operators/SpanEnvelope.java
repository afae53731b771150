package dev.tailsampling.operators;

/**
 * A span on its way to the tail sampler: the few fields that keying and the trace summary need,
 * plus the span's own OTLP bytes (a {@code ResourceSpans} holding just this span, its resource and
 * scope). The span is decoded in full only once, when its trace is kept.
 */
public class SpanEnvelope {
    /** 32 lowercase hex characters: the key. */
    public String traceId;
    public long startNanos;
    public long endNanos;
    public boolean error;
    public boolean root;
    /** Serialized {@code ResourceSpans} with exactly one span. */
    public byte[] payload;

    public SpanEnvelope() {}

    public SpanEnvelope(
            String traceId,
            long startNanos,
            long endNanos,
            boolean error,
            boolean root,
            byte[] payload) {
        this.traceId = traceId;
        this.startNanos = startNanos;
        this.endNanos = endNanos;
        this.error = error;
        this.root = root;
        this.payload = payload;
    }
}

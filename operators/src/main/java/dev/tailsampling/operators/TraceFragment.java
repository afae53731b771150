package dev.tailsampling.operators;

import dev.tailsampling.sampling.TraceSummary;

/**
 * The spans of one trace that came in one Kafka record, on their way to the tail sampler: what
 * keying and the trace summary need, plus the spans' own OTLP bytes (an {@code
 * ExportTraceServiceRequest} holding just these spans with their resources and scopes). A collector
 * that partitions by trace id sends a trace's spans in one record, and SDKs batch a request's spans
 * together, so the sampler touches its state once per fragment rather than once per span. The spans
 * are decoded in full only if their trace is kept.
 */
public class TraceFragment {
    /** 32 lowercase hex characters: the key. */
    public String traceId;
    public int spanCount;
    public long minStartNanos;
    public long maxEndNanos;
    /** Whether any of the spans is an error. */
    public boolean error;
    /** Whether one of the spans is the trace's root. */
    public boolean root;
    /** Service and operation of the root span when this fragment holds it, else null. */
    public String rootService;
    public String rootOperation;
    /** Serialized {@code ExportTraceServiceRequest} with exactly these spans. */
    public byte[] payload;
    /** The pre-sampling rate the fragment passed at; 1 when nothing was shed. */
    public double presampleRate = 1.0;
    /** The head sampler's probability, from the spans' tracestate {@code ot=th:}; 1 without one. */
    public double headProbability = 1.0;
    /** Whether a span's tracestate gave the head's randomness explicitly ({@code ot=rv:}). */
    public boolean headRandomnessExplicit;

    public TraceFragment() {}

    /** Folds this fragment into its trace's summary, as it arrives at {@code nowMillis}. */
    public void addTo(TraceSummary summary, long nowMillis) {
        summary.add(spanCount, payload.length, minStartNanos, maxEndNanos, error, root, nowMillis);
        summary.presampleRate = Math.min(summary.presampleRate, presampleRate);
        summary.headProbability = Math.min(summary.headProbability, headProbability);
        summary.headRandomnessExplicit |= headRandomnessExplicit;
        if (rootService != null) {
            summary.rootService = rootService;
            summary.rootOperation = rootOperation;
        }
    }
}

package dev.tailsampling.operators;

import dev.tailsampling.sampling.TraceStats;

/**
 * The spans of one trace that came in one Kafka record, on their way to the tail sampler: their
 * fold (what keying and the trace summary need) and their own OTLP bytes (an {@code
 * ExportTraceServiceRequest} holding just these spans with their resources and scopes). A collector
 * that partitions by trace id sends a trace's spans in one record, and SDKs batch a request's spans
 * together, so the sampler touches its state once per fragment rather than once per span. The spans
 * are decoded in full only if their trace is kept.
 */
public class TraceFragment extends TraceStats {
    /** 32 lowercase hex characters: the key. */
    public String traceId;
    /** Serialized {@code ExportTraceServiceRequest} with exactly these spans. */
    public byte[] payload;

    public TraceFragment() {}
}

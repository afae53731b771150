package dev.tailsampling.operators.decide;

import dev.tailsampling.operators.CachedDecision;
import dev.tailsampling.sampling.TraceSummary;

/**
 * What the sampler keeps for one trace id: while the trace is buffered, its spans (OTLP bytes, one
 * entry per fragment) and their summary; once it is decided, only the decision. The Flink function
 * keeps it in keyed state; its methods throw what state access throws.
 */
public interface TraceBuffer {

    /** The buffered trace's summary, or null if nothing is buffered. */
    TraceSummary summary() throws Exception;

    void updateSummary(TraceSummary summary) throws Exception;

    void append(byte[] spans) throws Exception;

    /** The buffered fragments' OTLP bytes, in arrival order. */
    Iterable<byte[]> spans() throws Exception;

    /** The decision of a decided trace, or null if it was not decided (or its decision expired). */
    CachedDecision decision() throws Exception;

    /** Records the decision and drops the buffered spans and summary. */
    void decided(CachedDecision decision) throws Exception;
}

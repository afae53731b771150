package dev.tailsampling.sampling;

import java.util.List;

/**
 * A buffered trace as policies see it. The summary is always at hand; the spans are decoded from
 * state only when a policy asks for them, so decisions on errors and latency stay cheap.
 */
public interface TraceView {

    /** 32 lowercase hex characters. */
    String traceId();

    TraceSummary summary();

    /** All buffered spans of the trace, decoded on first call. */
    List<Span> spans();
}

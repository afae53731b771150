package dev.tailsampling.sampling;

import java.util.List;
import java.util.function.Supplier;

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

    /**
     * Whether the job's consistent sampling keeps the trace at probability {@code p} of the traces
     * that reach the job ({@link ConsistentProbability#isSampledAfterHead}).
     */
    default boolean sampledAt(double p) {
        return ConsistentProbability.isSampledAfterHead(
                traceId(), p, summary().headProbability, summary().headRandomnessExplicit);
    }

    /** A view whose spans come from {@code spans}, called at most once and only when asked. */
    static TraceView of(String traceId, TraceSummary summary, Supplier<List<Span>> spans) {
        return new TraceView() {
            private List<Span> decoded;

            @Override
            public String traceId() {
                return traceId;
            }

            @Override
            public TraceSummary summary() {
                return summary;
            }

            @Override
            public List<Span> spans() {
                if (decoded == null) {
                    decoded = spans.get();
                }
                return decoded;
            }
        };
    }
}

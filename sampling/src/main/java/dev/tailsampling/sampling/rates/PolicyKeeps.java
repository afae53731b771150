package dev.tailsampling.sampling.rates;

import dev.tailsampling.sampling.TraceSummary;

/**
 * What one policy kept, or would have kept, in a window: traces, spans and OTLP bytes. Part of
 * {@link ServiceStats}, per policy of the live file and of the shadow file. Mutable, a Flink POJO.
 */
public class PolicyKeeps {
    public long traces;
    public long spans;
    public long bytes;

    public PolicyKeeps() {}

    /** One kept trace. */
    public static PolicyKeeps of(TraceSummary trace) {
        PolicyKeeps keeps = new PolicyKeeps();
        keeps.traces = 1;
        keeps.spans = trace.spanCount;
        keeps.bytes = trace.byteCount;
        return keeps;
    }

    /** Adds {@code other}'s counts to a copy of this one's. */
    public PolicyKeeps plus(PolicyKeeps other) {
        PolicyKeeps sum = new PolicyKeeps();
        sum.traces = traces + other.traces;
        sum.spans = spans + other.spans;
        sum.bytes = bytes + other.bytes;
        return sum;
    }
}

package dev.tailsampling.sampling;

import java.io.Serializable;
import java.util.List;

/**
 * One tail-sampling rule. A plain policy is pure and deterministic: the same trace always gets
 * the same decision, on every parallel subtask and on every replay, so it reads no clock, no random
 * source and keeps nothing between traces. Those that must are {@link StatefulPolicy}.
 */
public interface SamplingPolicy extends Serializable {

    /** The name recorded in {@code sampling_policy} when this policy keeps a trace. */
    String name();

    Decision evaluate(TraceView trace);

    /** The policies this one combines; none for a plain policy. */
    default List<SamplingPolicy> subPolicies() {
        return List.of();
    }
}

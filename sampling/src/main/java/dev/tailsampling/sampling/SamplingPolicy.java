package dev.tailsampling.sampling;

import java.io.Serializable;
import java.time.Duration;

/**
 * One tail-sampling rule. Pure and deterministic: the same trace always gets the same decision,
 * on every parallel subtask and on every replay, so it never reads a clock or a random source.
 */
public interface SamplingPolicy extends Serializable {

    /** The name recorded in {@code sampling_policy} when this policy keeps a trace. */
    String name();

    Decision evaluate(TraceView trace);

    /**
     * Called once per parallel subtask before the first evaluation; policies that keep rates or
     * learn from traffic take their share of the job and their clock from it.
     */
    default void open(PolicyContext context) {}

    /**
     * Adds what the policy learned to {@code state}, under keys that start with its name, for a
     * checkpoint. Most policies learn nothing.
     */
    default void snapshotState(java.util.Map<String, byte[]> state) {}

    /**
     * Merges one entry of a restored checkpoint into the policy; entries of every subtask arrive,
     * so what was learned in parallel is merged here.
     */
    default void restoreState(String key, byte[] value) {}

    /** Keeps a trace in which any span is an error. */
    static SamplingPolicy errors(String name) {
        return new ErrorPolicy(name);
    }

    /** Keeps a trace whose end-to-end duration is at least {@code threshold}. */
    static SamplingPolicy latencyAtLeast(String name, Duration threshold) {
        return new LatencyPolicy(name, threshold);
    }

    /** Keeps the fraction {@code rate} of traces, chosen by the trace id's random bits. */
    static SamplingPolicy probabilistic(String name, double rate) {
        return new ProbabilisticPolicy(name, rate);
    }
}

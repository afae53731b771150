package dev.tailsampling.sampling;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One tail-sampling rule. Pure and deterministic: the same trace always gets the same decision,
 * on every parallel subtask and on every replay, so it never reads a clock or a random source.
 */
public interface SamplingPolicy extends Serializable {

    /** The name recorded in {@code sampling_policy} when this policy keeps a trace. */
    String name();

    Decision evaluate(TraceView trace);

    /** The policies this one combines; none for a plain policy. */
    default List<SamplingPolicy> subPolicies() {
        return List.of();
    }

    /**
     * Called once per parallel subtask before the first evaluation; policies that keep rates or
     * learn from traffic take their share of the job and their clock from it. Combinators pass it on.
     */
    default void open(PolicyContext context) {
        subPolicies().forEach(p -> p.open(context));
    }

    /**
     * Adds what the policy learned to {@code state}, under keys that start with its name, for a
     * checkpoint. Most policies learn nothing; combinators ask their sub-policies.
     */
    default void snapshotState(Map<String, byte[]> state) {
        subPolicies().forEach(p -> p.snapshotState(state));
    }

    /**
     * Merges one entry of a restored checkpoint into the policy; entries of every subtask arrive,
     * so what was learned in parallel is merged here. Combinators pass it on.
     */
    default void restoreState(String key, byte[] value) {
        subPolicies().forEach(p -> p.restoreState(key, value));
    }

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

    /**
     * Keeps the fraction of traces that the budget controller sets for the trace's root service,
     * {@code configuredRate} until it has set one.
     */
    static SamplingPolicy representative(String name, double configuredRate) {
        return new RepresentativePolicy(name, configuredRate);
    }
}

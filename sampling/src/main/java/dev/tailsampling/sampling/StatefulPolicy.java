package dev.tailsampling.sampling;

import java.util.Map;

/**
 * A policy whose decision depends on more than the trace: it reads the clock, its share of the job
 * or the budget controller's rates, or learns from the traces it judges. Its decisions may differ
 * between subtasks and between a run and its replay. It is opened on every parallel subtask before
 * its first evaluation ({@link PolicySet#open}), and what it learned goes into the job's
 * checkpoints and comes back merged from every subtask.
 */
public interface StatefulPolicy extends SamplingPolicy {

    /** Takes the subtask's share of the job, its clock and the controller's rates; nothing by default. */
    default void open(PolicyContext context) {}

    /** Adds what the policy learned to {@code state}, under keys that start with its name. */
    default void snapshotState(Map<String, byte[]> state) {}

    /**
     * Merges one entry of a restored checkpoint; entries of every subtask arrive, those of other
     * policies too (a policy takes only keys that start with its name).
     */
    default void restoreState(String key, byte[] value) {}
}

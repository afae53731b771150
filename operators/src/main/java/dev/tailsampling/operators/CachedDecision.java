package dev.tailsampling.operators;

/**
 * The decision recorded for a trace after it was decided, so that spans arriving later follow it.
 * Kept in keyed state with a time to live; a few tens of bytes per trace.
 */
public class CachedDecision {
    public boolean sampled;
    public String policy;
    public double probability;
    public boolean incomplete;

    public CachedDecision() {}

    public CachedDecision(boolean sampled, String policy, double probability, boolean incomplete) {
        this.sampled = sampled;
        this.policy = policy;
        this.probability = probability;
        this.incomplete = incomplete;
    }
}

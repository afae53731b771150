package dev.tailsampling.sampling;

/**
 * Keeps a fixed fraction of traces. The choice is a function of the trace id alone (see {@link
 * ConsistentProbability}), so it agrees with head samplers and across parallel subtasks, and a
 * trace kept at one rate is kept at every higher rate.
 */
final class ProbabilisticPolicy implements SamplingPolicy {
    private static final long serialVersionUID = 1L;

    private final String name;
    private final double rate;

    ProbabilisticPolicy(String name, double rate) {
        ConsistentProbability.threshold(rate);
        this.name = name;
        this.rate = rate;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Decision evaluate(TraceView trace) {
        if (!trace.sampledAt(rate)) {
            return Decision.notSampled();
        }
        return Decision.sampled(name, "trace id within the " + rate + " sample", rate);
    }
}

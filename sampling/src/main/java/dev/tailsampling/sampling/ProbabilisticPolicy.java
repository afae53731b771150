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
    private final long threshold;

    ProbabilisticPolicy(String name, double rate) {
        this.name = name;
        this.rate = rate;
        this.threshold = ConsistentProbability.threshold(rate);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Decision evaluate(TraceView trace) {
        if (ConsistentProbability.randomness(trace.traceId()) < threshold) {
            return Decision.notSampled();
        }
        return Decision.sampled(name, "trace id within the " + rate + " sample", rate);
    }
}

package dev.tailsampling.sampling.policy;

import dev.tailsampling.sampling.ConsistentProbability;
import dev.tailsampling.sampling.Decision;
import dev.tailsampling.sampling.SamplingPolicy;
import dev.tailsampling.sampling.TraceView;

/**
 * Keeps a fixed fraction of traces. The choice is a function of the trace id alone (see {@link
 * ConsistentProbability}), so it agrees with head samplers and across parallel subtasks, and a
 * trace kept at one rate is kept at every higher rate.
 */
public final class ProbabilisticPolicy implements SamplingPolicy {
    private static final long serialVersionUID = 1L;

    private final String name;
    private final double rate;

    /** Keeps the fraction {@code rate} (0 to 1) of traces. */
    public ProbabilisticPolicy(String name, double rate) {
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
        return keepAt(name, trace, rate);
    }

    /** Policy {@code name}'s decision to keep the trace by its trace-id threshold for {@code rate}. */
    static Decision keepAt(String name, TraceView trace, double rate) {
        if (!trace.sampledAt(rate)) {
            return Decision.notSampled();
        }
        return Decision.sampled(name, "trace id within the " + rate + " sample", rate);
    }
}

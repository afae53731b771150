package dev.tailsampling.sampling.policy;

import dev.tailsampling.sampling.Decision;
import dev.tailsampling.sampling.SamplingPolicy;
import dev.tailsampling.sampling.TraceView;

/** Keeps every trace. */
public final class AlwaysSamplePolicy implements SamplingPolicy {
    private static final long serialVersionUID = 1L;

    private final String name;

    public AlwaysSamplePolicy(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Decision evaluate(TraceView trace) {
        return Decision.sampled(name, "always sample", 1.0);
    }
}

package dev.tailsampling.sampling.policy;

import dev.tailsampling.sampling.Decision;
import dev.tailsampling.sampling.SamplingPolicy;
import dev.tailsampling.sampling.TraceView;
import java.util.List;

/** Keeps a trace when the sub-policy does not, and the other way round. */
public final class NotPolicy implements SamplingPolicy {
    private static final long serialVersionUID = 1L;

    private final String name;
    private final SamplingPolicy subPolicy;

    public NotPolicy(String name, SamplingPolicy subPolicy) {
        this.name = name;
        this.subPolicy = subPolicy;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<SamplingPolicy> subPolicies() {
        return List.of(subPolicy);
    }

    @Override
    public Decision evaluate(TraceView trace) {
        return subPolicy.evaluate(trace).keeps()
                ? Decision.notSampled()
                : Decision.sampled(name, "not " + subPolicy.name(), 1.0);
    }
}

package dev.tailsampling.sampling.policy;

import dev.tailsampling.sampling.Decision;
import dev.tailsampling.sampling.SamplingPolicy;
import dev.tailsampling.sampling.TraceView;
import java.util.List;

/** Keeps a trace when the sub-policy does not, and the other way round. */
public final class NotPolicy extends CombiningPolicy {
    private static final long serialVersionUID = 1L;

    public NotPolicy(String name, SamplingPolicy subPolicy) {
        super(name, List.of(subPolicy));
    }

    @Override
    public Decision evaluate(TraceView trace) {
        SamplingPolicy subPolicy = subPolicies.get(0);
        return subPolicy.evaluate(trace).keeps()
                ? Decision.notSampled()
                : Decision.sampled(name, "not " + subPolicy.name(), 1.0);
    }
}

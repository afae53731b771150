package dev.tailsampling.sampling.policy;

import dev.tailsampling.sampling.Decision;
import dev.tailsampling.sampling.SamplingPolicy;
import dev.tailsampling.sampling.TraceView;
import java.util.List;

/** Keeps a trace when every sub-policy keeps it; its probability is the smallest of theirs. */
public final class AndPolicy extends CombiningPolicy {
    private static final long serialVersionUID = 1L;

    public AndPolicy(String name, List<SamplingPolicy> subPolicies) {
        super(name, subPolicies);
    }

    @Override
    public Decision evaluate(TraceView trace) {
        double probability = 1.0;
        for (SamplingPolicy sub : subPolicies) {
            Decision decision = sub.evaluate(trace);
            if (!decision.keeps()) {
                return Decision.notSampled();
            }
            probability = Math.min(probability, decision.probability());
        }
        return Decision.sampled(name, "all of " + subPolicies.size() + " policies", probability);
    }
}

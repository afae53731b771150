package dev.tailsampling.sampling;

import java.util.List;

/**
 * Policies in order. A {@link Decision.Outcome#DROPPED} from any policy vetoes the trace;
 * otherwise the first policy that keeps the trace names the decision.
 */
public final class PolicySet implements SamplingPolicy {
    private static final long serialVersionUID = 1L;

    private final List<SamplingPolicy> policies;

    public PolicySet(List<SamplingPolicy> policies) {
        if (policies.isEmpty()) {
            throw new IllegalArgumentException("a policy set needs at least one policy");
        }
        this.policies = List.copyOf(policies);
    }

    @Override
    public String name() {
        return "policy-set";
    }

    public List<SamplingPolicy> policies() {
        return policies;
    }

    @Override
    public Decision evaluate(TraceView trace) {
        Decision kept = Decision.notSampled();
        for (SamplingPolicy policy : policies) {
            Decision decision = policy.evaluate(trace);
            if (decision.outcome() == Decision.Outcome.DROPPED) {
                return decision;
            }
            if (!kept.isSampled() && decision.isSampled()) {
                kept = decision;
            }
        }
        return kept;
    }
}

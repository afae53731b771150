package dev.tailsampling.sampling;

import java.util.List;

/**
 * Policies in order, combined as the OpenTelemetry Collector's tail-sampling processor combines
 * them: a {@code DROPPED} or {@code INVERTED_NOT_SAMPLED} from any policy vetoes the trace;
 * otherwise the first policy that says {@code SAMPLED} names the decision; otherwise an {@code
 * INVERTED_SAMPLED} keeps the trace if no policy said {@code NOT_SAMPLED}; otherwise it is dropped.
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

    /** The policies, in order. */
    @Override
    public List<SamplingPolicy> subPolicies() {
        return policies;
    }

    @Override
    public Decision evaluate(TraceView trace) {
        Decision sampled = null;
        Decision invertedSampled = null;
        boolean notSampled = false;
        for (SamplingPolicy policy : policies) {
            Decision decision = policy.evaluate(trace);
            switch (decision.outcome()) {
                case DROPPED:
                case INVERTED_NOT_SAMPLED:
                    return Decision.dropped(decision.policy(), decision.reason());
                case SAMPLED:
                    sampled = sampled == null ? decision : sampled;
                    break;
                case INVERTED_SAMPLED:
                    invertedSampled = invertedSampled == null ? decision : invertedSampled;
                    break;
                default:
                    notSampled = true;
            }
        }
        if (sampled != null) {
            return sampled;
        }
        if (invertedSampled != null && !notSampled) {
            return Decision.sampled(invertedSampled.policy(), invertedSampled.reason(), 1.0);
        }
        return Decision.notSampled();
    }
}

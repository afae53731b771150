package dev.tailsampling.sampling.policy;

import dev.tailsampling.sampling.SamplingPolicy;
import java.util.List;

/** A named policy that decides by what its sub-policies say. */
abstract class CombiningPolicy implements SamplingPolicy {
    private static final long serialVersionUID = 1L;

    final String name;
    final List<SamplingPolicy> subPolicies;

    CombiningPolicy(String name, List<SamplingPolicy> subPolicies) {
        this.name = name;
        this.subPolicies = List.copyOf(subPolicies);
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final List<SamplingPolicy> subPolicies() {
        return subPolicies;
    }
}

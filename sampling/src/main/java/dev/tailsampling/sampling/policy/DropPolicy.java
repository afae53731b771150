package dev.tailsampling.sampling.policy;

import dev.tailsampling.sampling.Decision;
import dev.tailsampling.sampling.SamplingPolicy;
import dev.tailsampling.sampling.TraceView;
import java.util.List;

/** Vetoes a trace when every sub-policy keeps it, whatever other policies say. */
public final class DropPolicy implements SamplingPolicy {
    private static final long serialVersionUID = 1L;

    private final String name;
    private final List<SamplingPolicy> subPolicies;

    public DropPolicy(String name, List<SamplingPolicy> subPolicies) {
        this.name = name;
        this.subPolicies = List.copyOf(subPolicies);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<SamplingPolicy> subPolicies() {
        return subPolicies;
    }

    @Override
    public Decision evaluate(TraceView trace) {
        for (SamplingPolicy sub : subPolicies) {
            if (!sub.evaluate(trace).keeps()) {
                return Decision.notSampled();
            }
        }
        return Decision.dropped(name, "all of " + subPolicies.size() + " drop conditions hold");
    }
}

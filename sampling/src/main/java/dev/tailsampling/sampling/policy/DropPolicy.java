package dev.tailsampling.sampling.policy;

import dev.tailsampling.sampling.Decision;
import dev.tailsampling.sampling.SamplingPolicy;
import dev.tailsampling.sampling.TraceView;
import java.util.List;

/** Vetoes a trace when every sub-policy keeps it, whatever other policies say. */
public final class DropPolicy extends CombiningPolicy {
    private static final long serialVersionUID = 1L;

    public DropPolicy(String name, List<SamplingPolicy> subPolicies) {
        super(name, subPolicies);
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

package dev.tailsampling.sampling.policy;

import dev.tailsampling.sampling.Decision;
import dev.tailsampling.sampling.PolicyContext;
import dev.tailsampling.sampling.SamplingPolicy;
import dev.tailsampling.sampling.StatefulPolicy;
import dev.tailsampling.sampling.TraceView;
import java.util.ArrayList;
import java.util.List;

/**
 * Sub-policies in order, each with its share of {@code max_total_spans_per_second}: the first
 * sub-policy that keeps the trace decides it, within that sub-policy's rate. As in the collector, a
 * sub-policy gets {@code percent} of the total from {@code rate_allocation}, an equal share when its
 * percent is 0, and nothing when it is not listed. Unlike the collector, which keeps the first
 * arrivals of each second, each share is kept as an unbiased consistent-probability sample (see
 * {@link AdaptiveRate}), so the weights of kept traces stay true. Stateful: the shares count what
 * arrives on the clock of its subtask.
 */
public final class CompositePolicy extends CombiningPolicy implements StatefulPolicy {
    private static final long serialVersionUID = 1L;

    private final List<AdaptiveRate> rates = new ArrayList<>();

    /** {@code spansPerSecond.get(i)} is the job-wide allocation of {@code subPolicies.get(i)}. */
    public CompositePolicy(String name, List<SamplingPolicy> subPolicies, List<Double> spansPerSecond) {
        super(name, subPolicies);
        for (double allocation : spansPerSecond) {
            rates.add(allocation > 0 ? new AdaptiveRate(allocation) : null);
        }
    }

    @Override
    public void open(PolicyContext context) {
        rates.stream().filter(r -> r != null).forEach(r -> r.open(context));
    }

    @Override
    public Decision evaluate(TraceView trace) {
        for (int i = 0; i < subPolicies.size(); i++) {
            Decision decision = subPolicies.get(i).evaluate(trace);
            if (!decision.keeps()) {
                continue;
            }
            AdaptiveRate rate = rates.get(i);
            if (rate == null) {
                return Decision.notSampled();
            }
            double p = rate.arrive(trace.summary().spanCount) * decision.probability();
            return trace.sampledAt(p)
                    ? Decision.sampled(name, subPolicies.get(i).name() + ": " + decision.reason(), p)
                    : Decision.notSampled();
        }
        return Decision.notSampled();
    }
}

package dev.tailsampling.sampling;

import java.util.HashSet;
import java.util.Set;

/**
 * The representative sample: keeps a fraction of traces by the trace-id threshold, at the rate the
 * budget controller publishes for the trace's root service (the default rate for a trace without
 * a root or a service without its own rate), or at its configured rate until the controller has
 * published one. Being consistent, a trace kept at one rate is kept at every higher rate, so a
 * rate change moves the sample's edge and nothing else.
 */
public final class RepresentativePolicy implements SamplingPolicy {
    private static final long serialVersionUID = 1L;

    private final String name;
    private final double configuredRate;
    private transient PolicyContext context;

    RepresentativePolicy(String name, double configuredRate) {
        ConsistentProbability.threshold(configuredRate);
        this.name = name;
        this.configuredRate = configuredRate;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void open(PolicyContext context) {
        this.context = context;
    }

    @Override
    public Decision evaluate(TraceView trace) {
        double rate =
                context == null
                        ? configuredRate
                        : context.rates()
                                .rateFor(trace.summary().rootService, context.nowMillis(), configuredRate);
        if (!trace.sampledAt(rate)) {
            return Decision.notSampled();
        }
        return Decision.sampled(name, "trace id within the " + rate + " sample", rate);
    }

    /** The names of the representative policies in {@code policy} and its sub-policies. */
    public static Set<String> namesIn(SamplingPolicy policy) {
        Set<String> names = new HashSet<>();
        collect(policy, names);
        return names;
    }

    private static void collect(SamplingPolicy policy, Set<String> names) {
        if (policy instanceof RepresentativePolicy) {
            names.add(policy.name());
        }
        policy.subPolicies().forEach(p -> collect(p, names));
    }
}

package dev.tailsampling.sampling.policy;

import dev.tailsampling.sampling.ConsistentProbability;
import dev.tailsampling.sampling.Decision;
import dev.tailsampling.sampling.PolicyContext;
import dev.tailsampling.sampling.StatefulPolicy;
import dev.tailsampling.sampling.TraceView;

/**
 * The representative sample: keeps a fraction of traces by the trace-id threshold, at the rate the
 * budget controller publishes for the trace's root service (the default rate for a trace without
 * a root or a service without its own rate), or at its configured rate until the controller has
 * published one. Being consistent, a trace kept at one rate is kept at every higher rate, so a
 * rate change moves the sample's edge and nothing else. Stateful: it reads the rates in force now.
 */
public final class RepresentativePolicy implements StatefulPolicy {
    private static final long serialVersionUID = 1L;

    private final String name;
    private final double configuredRate;
    private transient PolicyContext context;

    /** Keeps the fraction {@code configuredRate} (0 to 1) until the controller sets a rate. */
    public RepresentativePolicy(String name, double configuredRate) {
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
        double rate = context == null
                ? configuredRate
                : context.rates().rateFor(trace.summary().rootService, context.nowMillis(), configuredRate);
        return ProbabilisticPolicy.keepAt(name, trace, rate);
    }
}

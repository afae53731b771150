package dev.tailsampling.sampling.policy;

import dev.tailsampling.sampling.Decision;
import dev.tailsampling.sampling.SamplingPolicy;
import dev.tailsampling.sampling.Span;
import dev.tailsampling.sampling.TraceView;

/**
 * Keeps a trace in which any span matches. With {@code invert} (the collector's deprecated {@code
 * invert_match} of attribute policies) a match is a veto and no match keeps, unless another policy
 * said no ({@link Decision.Outcome#INVERTED_SAMPLED}).
 */
abstract class SpanMatchPolicy implements SamplingPolicy {
    private static final long serialVersionUID = 1L;

    private final String name;
    private final boolean invert;

    SpanMatchPolicy(String name, boolean invert) {
        this.name = name;
        this.invert = invert;
    }

    abstract boolean matches(Span span);

    /** What a match means, for the decision's reason. */
    abstract String describe();

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final Decision evaluate(TraceView trace) {
        boolean any = false;
        for (Span span : trace.spans()) {
            if (matches(span)) {
                any = true;
                break;
            }
        }
        if (invert) {
            return Decision.inverted(name, !any, (any ? "" : "no span: ") + describe());
        }
        return any ? Decision.sampled(name, describe(), 1.0) : Decision.notSampled();
    }
}

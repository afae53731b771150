package dev.tailsampling.sampling.policy;

import dev.tailsampling.sampling.Span;

/** Keeps a trace in which a span has the W3C sampled flag. */
public final class TraceFlagsPolicy extends SpanMatchPolicy {
    private static final long serialVersionUID = 1L;

    public TraceFlagsPolicy(String name) {
        super(name, false);
    }

    @Override
    boolean matches(Span span) {
        return (span.flags & 0x01) != 0;
    }

    @Override
    String describe() {
        return "sampled flag set";
    }
}

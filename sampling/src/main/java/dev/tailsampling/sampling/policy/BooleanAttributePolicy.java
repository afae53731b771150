package dev.tailsampling.sampling.policy;

import dev.tailsampling.sampling.Span;

/** Keeps a trace in which a span's (or its resource's) attribute is the given boolean. */
public final class BooleanAttributePolicy extends SpanMatchPolicy {
    private static final long serialVersionUID = 1L;

    private final String key;
    private final String expected;

    public BooleanAttributePolicy(String name, String key, boolean value, boolean invert) {
        super(name, invert);
        this.key = key;
        this.expected = Boolean.toString(value);
    }

    @Override
    boolean matches(Span span) {
        return expected.equalsIgnoreCase(span.attribute(key));
    }

    @Override
    String describe() {
        return key + " is " + expected;
    }
}

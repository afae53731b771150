package dev.tailsampling.sampling.policy;

import dev.tailsampling.sampling.Span;

/** Keeps a trace in which a span's (or its resource's) attribute is a number from min to max. */
public final class NumericAttributePolicy extends SpanMatchPolicy {
    private static final long serialVersionUID = 1L;

    private final String key;
    private final double min;
    private final double max;

    public NumericAttributePolicy(String name, String key, double min, double max, boolean invert) {
        super(name, invert);
        if (max < min) {
            throw new IllegalArgumentException("the maximum (" + max + ") is below the minimum (" + min + ")");
        }
        this.key = key;
        this.min = min;
        this.max = max;
    }

    @Override
    boolean matches(Span span) {
        String value = span.attribute(key);
        if (value == null) {
            return false;
        }
        try {
            double number = Double.parseDouble(value.trim());
            return number >= min && number <= max;
        } catch (NumberFormatException notANumber) {
            return false;
        }
    }

    @Override
    String describe() {
        return key + " in [" + min + ", " + max + "]";
    }
}

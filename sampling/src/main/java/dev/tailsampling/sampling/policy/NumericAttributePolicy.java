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
            double number = number(value.trim());
            return number >= min && number <= max;
        } catch (NumberFormatException notANumber) {
            return false;
        }
    }

    /**
     * Integers of up to 18 digits, the usual attribute, by a digit loop; anything else by {@code
     * Double.parseDouble}, whose general parser took a fifth of a decision's time.
     */
    static double number(String value) {
        int start = !value.isEmpty() && (value.charAt(0) == '-' || value.charAt(0) == '+') ? 1 : 0;
        int length = value.length() - start;
        if (length > 0 && length <= 18) {
            long digits = 0;
            int i = start;
            while (i < value.length() && value.charAt(i) >= '0' && value.charAt(i) <= '9') {
                digits = digits * 10 + (value.charAt(i++) - '0');
            }
            if (i == value.length()) {
                return value.charAt(0) == '-' ? -(double) digits : digits;
            }
        }
        return Double.parseDouble(value);
    }

    @Override
    String describe() {
        return key + " in [" + min + ", " + max + "]";
    }
}

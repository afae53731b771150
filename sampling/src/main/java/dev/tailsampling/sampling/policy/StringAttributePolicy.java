package dev.tailsampling.sampling.policy;

import dev.tailsampling.sampling.Span;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Keeps a trace in which a span's (or its resource's) attribute equals one of the values or, with
 * {@code regex}, contains a match of one of them.
 */
public final class StringAttributePolicy extends SpanMatchPolicy {
    private static final long serialVersionUID = 1L;

    private final String key;
    private final List<String> values;
    private final Set<String> exact;
    private final List<Pattern> patterns;

    public StringAttributePolicy(String name, String key, List<String> values, boolean regex, boolean invert) {
        super(name, invert);
        this.key = key;
        this.values = List.copyOf(values);
        this.exact = regex ? Set.of() : Set.copyOf(values);
        this.patterns =
                regex ? values.stream().map(StringAttributePolicy::compile).toList() : List.of();
    }

    private static Pattern compile(String regex) {
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(
                    "'" + regex + "' is not a valid regular expression: " + e.getDescription(), e);
        }
    }

    @Override
    boolean matches(Span span) {
        String value = span.attribute(key);
        if (value == null) {
            return false;
        }
        if (exact.contains(value)) {
            return true;
        }
        for (Pattern pattern : patterns) {
            if (pattern.matcher(value).find()) {
                return true;
            }
        }
        return false;
    }

    @Override
    String describe() {
        return key + " matches " + values;
    }
}

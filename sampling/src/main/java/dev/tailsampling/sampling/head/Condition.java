package dev.tailsampling.sampling.head;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.contrib.sampler.consistent56.Predicate;
import io.opentelemetry.sdk.trace.data.LinkData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One head-sampling condition on what is known when a span starts: {@code <attribute> <operator>
 * <value>}, such as {@code http.url contains "/api/admin"}, {@code user.tier == "premium"} or
 * {@code order.total >= 1000}. Operators: {@code == != > >= < <= contains starts_with matches}.
 * {@code span.name} and {@code span.kind} name the span's own name and kind. An attribute renamed
 * by the semantic conventions is looked up by both names. Attributes that only exist when a span
 * ends (a status code, an error) are refused: such a rule belongs to the tail policies.
 */
public final class Condition implements Predicate {
    private static final Pattern SHAPE =
            Pattern.compile("\\s*([A-Za-z_][\\w.\\-]*)\\s*(==|!=|>=|<=|>|<|contains|starts_with|matches)\\s*(.+?)\\s*");

    /** Older and newer names of the same attribute; a condition on one reads either. */
    private static final Map<String, String> RENAMED = Map.of(
            "http.url", "url.full",
            "http.method", "http.request.method",
            "http.target", "url.path",
            "http.scheme", "url.scheme",
            "http.user_agent", "user_agent.original",
            "net.peer.name", "server.address");

    /** Known only once a span has ended. */
    private static final Set<String> END_ONLY = Set.of(
            "http.status_code",
            "http.response.status_code",
            "rpc.grpc.status_code",
            "rpc.response.status_code",
            "otel.status_code",
            "status.code",
            "status_code",
            "error",
            "error.type",
            "exception.type",
            "http.response_content_length",
            "http.response.body.size",
            "duration");

    private final String text;
    private final String attribute;
    /** The typed keys the attribute may be under, its own name's first, then its other name's. */
    private final List<AttributeKey<?>> keys;

    private final String operator;
    private final String stringValue;
    private final Double numberValue;
    private final Pattern regex;

    private Condition(
            String text, String attribute, String operator, String stringValue, Double numberValue, Pattern regex) {
        this.text = text;
        this.attribute = attribute;
        this.keys = keysOf(attribute, aliasOf(attribute));
        this.operator = operator;
        this.stringValue = stringValue;
        this.numberValue = numberValue;
        this.regex = regex;
    }

    /**
     * Parses a condition; the message of the exception says what is wrong and, for a condition on
     * what a span only knows at its end, to make it a tail policy.
     */
    public static Condition parse(String text) {
        Matcher m = SHAPE.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("condition '" + text + "' is not '<attribute> <operator> <value>'"
                    + " with an operator among == != > >= < <= contains starts_with matches");
        }
        String attribute = m.group(1);
        String operator = m.group(2);
        String raw = m.group(3);
        if (END_ONLY.contains(attribute)) {
            throw new IllegalArgumentException("condition '" + text + "': " + attribute
                    + " is only known when a span ends, after the head decision; move this rule to the tail"
                    + " policies (status_code, numeric_attribute or string_attribute)");
        }
        boolean quoted = raw.length() >= 2
                && (raw.startsWith("\"") && raw.endsWith("\"") || raw.startsWith("'") && raw.endsWith("'"));
        String value = quoted ? raw.substring(1, raw.length() - 1) : raw;
        Double number = null;
        if (!quoted) {
            try {
                number = Double.valueOf(raw);
            } catch (NumberFormatException notANumber) {
                if (!raw.equals("true") && !raw.equals("false")) {
                    throw new IllegalArgumentException("condition '" + text + "': the value " + raw
                            + " must be a number, true, false or a quoted string");
                }
            }
        }
        boolean ordering = operator.startsWith(">") || operator.startsWith("<");
        if (ordering && number == null) {
            throw new IllegalArgumentException("condition '" + text + "': " + operator + " compares numbers");
        }
        boolean textual = operator.equals("contains") || operator.equals("starts_with") || operator.equals("matches");
        if (textual && !quoted) {
            throw new IllegalArgumentException("condition '" + text + "': " + operator + " takes a quoted string");
        }
        Pattern regex = null;
        if (operator.equals("matches")) {
            try {
                regex = Pattern.compile(value);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException(
                        "condition '" + text + "': not a regular expression: " + e.getDescription());
            }
        }
        return new Condition(text.trim(), attribute, operator, value, number, regex);
    }

    private static List<AttributeKey<?>> keysOf(String name, String alias) {
        List<AttributeKey<?>> keys = new ArrayList<>();
        for (String each : alias == null ? List.of(name) : List.of(name, alias)) {
            keys.add(AttributeKey.stringKey(each));
            keys.add(AttributeKey.longKey(each));
            keys.add(AttributeKey.doubleKey(each));
            keys.add(AttributeKey.booleanKey(each));
        }
        return List.copyOf(keys);
    }

    private static String aliasOf(String attribute) {
        for (Map.Entry<String, String> pair : RENAMED.entrySet()) {
            if (pair.getKey().equals(attribute)) {
                return pair.getValue();
            }
            if (pair.getValue().equals(attribute)) {
                return pair.getKey();
            }
        }
        return null;
    }

    /** Whether a span starting with this name, kind and attributes meets the condition. */
    public boolean test(String spanName, SpanKind kind, Attributes attributes) {
        Object value =
                switch (attribute) {
                    case "span.name" -> spanName;
                    case "span.kind" -> kind == null ? null : kind.name();
                    default -> valueOf(attributes);
                };
        if (value == null) {
            return operator.equals("!=");
        }
        switch (operator) {
            case "contains":
                return value.toString().contains(stringValue);
            case "starts_with":
                return value.toString().startsWith(stringValue);
            case "matches":
                return regex.matcher(value.toString()).find();
            case "==":
                return equal(value);
            case "!=":
                return !equal(value);
            default:
                if (!(value instanceof Number)) {
                    return false;
                }
                int order = Double.compare(((Number) value).doubleValue(), numberValue);
                return switch (operator) {
                    case ">" -> order > 0;
                    case ">=" -> order >= 0;
                    case "<" -> order < 0;
                    default -> order <= 0;
                };
        }
    }

    private boolean equal(Object value) {
        if (numberValue != null && value instanceof Number) {
            return ((Number) value).doubleValue() == numberValue;
        }
        return value.toString().equals(stringValue);
    }

    private Object valueOf(Attributes attributes) {
        if (attributes == null) {
            return null;
        }
        for (AttributeKey<?> key : keys) {
            Object value = attributes.get(key);
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    @Override
    public boolean spanMatches(
            Context parentContext, String name, SpanKind spanKind, Attributes attributes, List<LinkData> parentLinks) {
        return test(name, spanKind, attributes);
    }

    @Override
    public String toString() {
        return text;
    }
}

package dev.tailsampling.sampling.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A mapping in a policy file, read strictly: every problem names where it is. */
final class Block {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ns|us|µs|ms|s|m|h)");

    final JsonNode node;
    final String source;
    final String where;

    Block(JsonNode node, String source, String where) {
        if (node == null || !node.isObject()) {
            throw new PolicyFileException(source + ": " + where + ": expected a mapping");
        }
        this.node = node;
        this.source = source;
        this.where = where;
    }

    PolicyFileException problem(String what) {
        return new PolicyFileException(source + ": " + where + ": " + what);
    }

    void allowOnly(String... fields) {
        List<String> allowed = Arrays.asList(fields);
        for (String field : PolicyFile.fieldNames(node)) {
            if (!allowed.contains(field)) {
                throw problem("unknown field '" + field + "'"
                        + (allowed.isEmpty()
                                ? "; this policy takes no settings"
                                : "; known fields: " + String.join(", ", allowed)));
            }
        }
    }

    boolean has(String field) {
        return node.has(field) && !node.get(field).isNull();
    }

    String requireString(String field) {
        JsonNode value = node.get(field);
        if (value == null
                || value.isNull()
                || !value.isValueNode()
                || value.asText().isEmpty()) {
            throw problem("'" + field + "' is required and must be a non-empty string");
        }
        return value.asText();
    }

    List<String> requireStrings(String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isArray() || value.isEmpty()) {
            throw problem("'" + field + "' is required and must be a non-empty list");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : value) {
            if (!item.isValueNode() || item.isNull()) {
                throw problem("'" + field + "' must list plain values, found " + item);
            }
            out.add(item.asText());
        }
        return out;
    }

    long optionalLong(String field, long min, long fallback) {
        if (!has(field)) {
            return fallback;
        }
        JsonNode value = node.get(field);
        if (!value.canConvertToLong() || !value.isIntegralNumber()) {
            throw problem("'" + field + "' must be a whole number, was " + value);
        }
        if (value.asLong() < min) {
            throw problem("'" + field + "' must be at least " + min + ", was " + value.asLong());
        }
        return value.asLong();
    }

    double optionalDouble(String field, double fallback) {
        if (!has(field)) {
            return fallback;
        }
        JsonNode value = node.get(field);
        if (!value.isNumber()) {
            throw problem("'" + field + "' must be a number, was " + value);
        }
        return value.asDouble();
    }

    double requireDouble(String field) {
        if (!has(field)) {
            throw problem("'" + field + "' is required");
        }
        return optionalDouble(field, 0);
    }

    boolean optionalBoolean(String field, boolean fallback) {
        if (!has(field)) {
            return fallback;
        }
        JsonNode value = node.get(field);
        if (!value.isBoolean()) {
            throw problem("'" + field + "' must be true or false, was " + value);
        }
        return value.asBoolean();
    }

    boolean requireBoolean(String field) {
        if (!has(field)) {
            throw problem("'" + field + "' is required (true or false)");
        }
        return optionalBoolean(field, false);
    }

    /** A duration as the collector writes them: 30s, 500ms, 1m, 1h. */
    Duration optionalDuration(String field) {
        if (!has(field)) {
            return null;
        }
        String text = node.get(field).asText().trim();
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            throw problem("'" + field + "' must be a duration such as 30s, 500ms or 1m, was '" + text + "'");
        }
        long amount = Long.parseLong(m.group(1));
        switch (m.group(2)) {
            case "ns":
                return Duration.ofNanos(amount);
            case "us":
            case "µs":
                return Duration.ofNanos(amount * 1000);
            case "ms":
                return Duration.ofMillis(amount);
            case "s":
                return Duration.ofSeconds(amount);
            case "m":
                return Duration.ofMinutes(amount);
            default:
                return Duration.ofHours(amount);
        }
    }

    Block optionalChild(String field) {
        return has(field) ? new Block(node.get(field), source, where + "." + field) : null;
    }

    JsonNode requireList(String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isArray()) {
            throw problem("'" + field + "' is required and must be a list");
        }
        return value;
    }
}

package dev.tailsampling.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Per-service controller settings from YAML:
 *
 * <pre>
 * services:
 *   checkout: {min_rate: 0.05, floor_traces_per_second: 1}
 *   health-check: {rate: 0.001}        # fixed: the controller never moves it
 * </pre>
 *
 * A field left out takes the job-wide default. Errors name the file, the service and the field.
 */
public final class ServiceSettingsFile {
    private static final Set<String> FIELDS = Set.of("min_rate", "max_rate", "floor_traces_per_second", "rate");

    private ServiceSettingsFile() {}

    public static Map<String, ServiceSettings> read(Path file, ServiceSettings defaults) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject() || !root.path("services").isObject() || root.size() != 1) {
            throw new IllegalArgumentException(
                    file + ": expected one top-level key 'services' mapping names to settings");
        }
        Map<String, ServiceSettings> services = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.get("services").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String where = file + ": service '" + e.getKey() + "'";
            JsonNode node = e.getValue();
            if (!node.isObject()) {
                throw new IllegalArgumentException(where + ": expected a mapping of " + FIELDS);
            }
            node.fieldNames().forEachRemaining(f -> {
                if (!FIELDS.contains(f)) {
                    throw new IllegalArgumentException(where + ": unknown field '" + f + "'; the fields are " + FIELDS);
                }
            });
            try {
                services.put(
                        e.getKey(),
                        new ServiceSettings(
                                number(node, "min_rate", defaults.minRate, where),
                                number(node, "max_rate", defaults.maxRate, where),
                                number(node, "floor_traces_per_second", defaults.floorTracesPerSecond, where),
                                number(node, "rate", Double.NaN, where)));
            } catch (IllegalArgumentException bad) {
                throw new IllegalArgumentException(where + ": " + bad.getMessage(), bad);
            }
        }
        return services;
    }

    private static double number(JsonNode node, String field, double fallback, String where) {
        JsonNode value = node.get(field);
        if (value == null) {
            return fallback;
        }
        if (!value.isNumber()) {
            throw new IllegalArgumentException(where + ": '" + field + "' must be a number, was " + value);
        }
        return value.asDouble();
    }
}

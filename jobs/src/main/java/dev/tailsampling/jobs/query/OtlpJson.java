package dev.tailsampling.jobs.query;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.data.Record;

/**
 * A trace's rows of {@code spans} as OTLP/JSON {@code TracesData}, what Jaeger's query API v3
 * answers: spans grouped by resource (service and resource attributes) and then by
 * instrumentation scope, in start order. OTLP/JSON is protobuf's JSON mapping except that ids are
 * lowercase hex, not base64, and enums are numbers; 64-bit integers are strings. Attribute values
 * are strings, as the table keeps them. Each span also carries its trace's sampling decision as
 * {@code tail_sampling.*} attributes, so a viewer shows why the trace was kept and what it weighs.
 */
public final class OtlpJson {
    /** The decision's attributes on every span of a kept trace. */
    public static final String POLICY = "tail_sampling.policy";

    public static final String PROBABILITY = "tail_sampling.probability";
    public static final String ADJUSTED_COUNT = "tail_sampling.adjusted_count";
    public static final String TRIGGER = "tail_sampling.trigger";
    public static final String INCOMPLETE = "tail_sampling.trace_incomplete";

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final List<String> KINDS =
            List.of("UNSPECIFIED", "INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER");
    private static final List<String> STATUS_CODES = List.of("UNSET", "OK", "ERROR");

    private OtlpJson() {}

    /** {@code TracesData} of the given rows of one or more traces. */
    public static ObjectNode tracesData(List<Record> spans) {
        Map<String, List<Record>> byResource = new LinkedHashMap<>();
        for (Record span : byStart(spans)) {
            byResource.computeIfAbsent(resourceOf(span), k -> new ArrayList<>()).add(span);
        }
        ObjectNode data = NODES.objectNode();
        ArrayNode resourceSpans = data.putArray("resourceSpans");
        for (List<Record> ofResource : byResource.values()) {
            ObjectNode resource = resourceSpans.addObject();
            Map<String, String> attributes =
                    new TreeMap<>(stringMap(ofResource.get(0).getField("resource_attributes")));
            attributes.putIfAbsent("service.name", (String) ofResource.get(0).getField("service_name"));
            resource.putObject("resource").set("attributes", keyValues(attributes));
            Map<String, List<Record>> byScope = new LinkedHashMap<>();
            for (Record span : ofResource) {
                byScope.computeIfAbsent(
                                text(span.getField("scope_name")) + "\u001f" + text(span.getField("scope_version")),
                                k -> new ArrayList<>())
                        .add(span);
            }
            ArrayNode scopeSpans = resource.putArray("scopeSpans");
            for (List<Record> ofScope : byScope.values()) {
                ObjectNode scope = scopeSpans.addObject();
                ObjectNode scopeNode = scope.putObject("scope");
                putIfNotEmpty(scopeNode, "name", text(ofScope.get(0).getField("scope_name")));
                putIfNotEmpty(scopeNode, "version", text(ofScope.get(0).getField("scope_version")));
                ArrayNode spanNodes = scope.putArray("spans");
                ofScope.forEach(span -> spanNodes.add(span(span)));
            }
        }
        return data;
    }

    /** The resource a span came from, its service and resource attributes: one process, one resource. */
    static String resourceOf(Record span) {
        return span.getField("service_name") + "\u001f"
                + new TreeMap<>(stringMap(span.getField("resource_attributes")));
    }

    /** Rows in the order a trace view lists them: by start time, then span id. */
    static List<Record> byStart(List<Record> spans) {
        List<Record> sorted = new ArrayList<>(spans);
        sorted.sort(Comparator.comparingLong((Record s) -> (Long) s.getField("start_time_unix_nano"))
                .thenComparing(s -> (String) s.getField("span_id")));
        return sorted;
    }

    private static ObjectNode span(Record row) {
        ObjectNode span = NODES.objectNode();
        span.put("traceId", (String) row.getField("trace_id"));
        span.put("spanId", (String) row.getField("span_id"));
        putIfNotEmpty(span, "traceState", text(row.getField("trace_state")));
        putIfNotEmpty(span, "parentSpanId", text(row.getField("parent_span_id")));
        span.put("name", text(row.getField("operation_name")));
        int kind = KINDS.indexOf(text(row.getField("span_kind")));
        span.put("kind", Math.max(kind, 0));
        span.put("startTimeUnixNano", Long.toString((Long) row.getField("start_time_unix_nano")));
        span.put("endTimeUnixNano", Long.toString((Long) row.getField("end_time_unix_nano")));
        ArrayNode attributes = keyValues(new TreeMap<>(stringMap(row.getField("attributes"))));
        addString(attributes, POLICY, text(row.getField("sampling_policy")));
        addDouble(attributes, PROBABILITY, (Double) row.getField("sample_probability"));
        addDouble(attributes, ADJUSTED_COUNT, (Double) row.getField("adjusted_count"));
        addString(attributes, TRIGGER, text(row.getField("sampling_trigger")));
        if (Boolean.TRUE.equals(row.getField("trace_incomplete"))) {
            attributes.addObject().put("key", INCOMPLETE).putObject("value").put("boolValue", true);
        }
        span.set("attributes", attributes);
        ArrayNode events = span.putArray("events");
        for (Record event : records(row.getField("events"))) {
            ObjectNode node = events.addObject();
            Long time = (Long) event.getField("time_unix_nano");
            node.put("timeUnixNano", Long.toString(time == null ? 0L : time));
            node.put("name", text(event.getField("name")));
            node.set("attributes", keyValues(new TreeMap<>(stringMap(event.getField("attributes")))));
        }
        ArrayNode links = span.putArray("links");
        for (Record link : records(row.getField("links"))) {
            ObjectNode node = links.addObject();
            node.put("traceId", text(link.getField("trace_id")));
            node.put("spanId", text(link.getField("span_id")));
            putIfNotEmpty(node, "traceState", text(link.getField("trace_state")));
            node.set("attributes", keyValues(new TreeMap<>(stringMap(link.getField("attributes")))));
        }
        ObjectNode status = span.putObject("status");
        putIfNotEmpty(status, "message", text(row.getField("status_message")));
        status.put("code", Math.max(STATUS_CODES.indexOf(text(row.getField("status_code"))), 0));
        return span;
    }

    private static ArrayNode keyValues(Map<String, String> attributes) {
        ArrayNode list = NODES.arrayNode();
        attributes.forEach((key, value) -> addString(list, key, value));
        return list;
    }

    private static void addString(ArrayNode attributes, String key, String value) {
        if (value != null && !value.isEmpty()) {
            attributes.addObject().put("key", key).putObject("value").put("stringValue", value);
        }
    }

    private static void addDouble(ArrayNode attributes, String key, Double value) {
        if (value != null) {
            attributes.addObject().put("key", key).putObject("value").put("doubleValue", value);
        }
    }

    private static void putIfNotEmpty(ObjectNode node, String field, String value) {
        if (!value.isEmpty()) {
            node.put(field, value);
        }
    }

    static String text(Object value) {
        return value == null ? "" : value.toString();
    }

    @SuppressWarnings("unchecked")
    static Map<String, String> stringMap(Object value) {
        return value == null ? Map.of() : (Map<String, String>) value;
    }

    @SuppressWarnings("unchecked")
    static List<Record> records(Object value) {
        return value == null ? List.of() : (List<Record>) value;
    }
}

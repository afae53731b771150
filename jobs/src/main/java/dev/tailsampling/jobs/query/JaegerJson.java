package dev.tailsampling.jobs.query;

import static dev.tailsampling.jobs.query.OtlpJson.records;
import static dev.tailsampling.jobs.query.OtlpJson.stringMap;
import static dev.tailsampling.jobs.query.OtlpJson.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.data.Record;

/**
 * Traces in Jaeger's own JSON model, what the classic {@code /api/...} endpoints answer and what
 * Grafana's Jaeger data source reads: spans with {@code references}, {@code tags} and {@code logs},
 * times in microseconds, and the services' resources as {@code processes}. The span kind, status
 * and sampling decision become tags, as Jaeger shows OTLP spans.
 */
public final class JaegerJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JaegerJson() {}

    /** The envelope of every classic answer: {@code data} and, on failure, {@code errors}. */
    public static ObjectNode envelope(JsonNode data, int total) {
        ObjectNode body = NODES.objectNode();
        body.set("data", data);
        body.put("total", total);
        body.put("limit", 0);
        body.put("offset", 0);
        body.putNull("errors");
        return body;
    }

    /** The envelope with no data and one error, as Jaeger answers a bad or failed request. */
    public static ObjectNode error(int status, String message) {
        ObjectNode body = envelope(NODES.nullNode(), 0);
        body.putArray("errors").addObject().put("code", status).put("msg", message);
        return body;
    }

    /** A list of names as the classic services and operations endpoints give them. */
    public static ObjectNode names(List<String> names) {
        ArrayNode data = NODES.arrayNode();
        names.forEach(data::add);
        return envelope(data, names.size());
    }

    /** One trace: its spans, and a process per service and resource. */
    public static ObjectNode trace(String traceId, List<Record> spans) {
        ObjectNode trace = NODES.objectNode();
        trace.put("traceID", traceId);
        ArrayNode spanNodes = trace.putArray("spans");
        Map<String, String> processIds = new LinkedHashMap<>();
        ObjectNode processes = NODES.objectNode();
        for (Record row : OtlpJson.byStart(spans)) {
            Map<String, String> resource = new TreeMap<>(stringMap(row.getField("resource_attributes")));
            String service = text(row.getField("service_name"));
            String processId = processIds.computeIfAbsent(OtlpJson.resourceOf(row), k -> {
                String id = "p" + (processIds.size() + 1);
                ObjectNode process = processes.putObject(id);
                process.put("serviceName", service);
                ArrayNode tags = process.putArray("tags");
                resource.forEach((key, value) -> {
                    if (!key.equals("service.name")) {
                        tag(tags, key, value);
                    }
                });
                return id;
            });
            spanNodes.add(span(row, processId));
        }
        trace.set("processes", processes);
        trace.putNull("warnings");
        return trace;
    }

    private static ObjectNode span(Record row, String processId) {
        ObjectNode span = NODES.objectNode();
        String traceId = text(row.getField("trace_id"));
        span.put("traceID", traceId);
        span.put("spanID", text(row.getField("span_id")));
        span.put("operationName", text(row.getField("operation_name")));
        ArrayNode references = span.putArray("references");
        String parent = text(row.getField("parent_span_id"));
        if (!parent.isEmpty()) {
            references
                    .addObject()
                    .put("refType", "CHILD_OF")
                    .put("traceID", traceId)
                    .put("spanID", parent);
        }
        for (Record link : records(row.getField("links"))) {
            references
                    .addObject()
                    .put("refType", "child_of".equals(link.getField("relationship")) ? "CHILD_OF" : "FOLLOWS_FROM")
                    .put("traceID", text(link.getField("trace_id")))
                    .put("spanID", text(link.getField("span_id")));
        }
        span.put("flags", 1);
        long start = (Long) row.getField("start_time_unix_nano");
        span.put("startTime", start / 1_000L);
        span.put("duration", ((Long) row.getField("end_time_unix_nano") - start) / 1_000L);
        ArrayNode tags = span.putArray("tags");
        new TreeMap<>(stringMap(row.getField("attributes"))).forEach((key, value) -> tag(tags, key, value));
        String kind = text(row.getField("span_kind"));
        if (!kind.isEmpty() && !kind.equals("UNSPECIFIED")) {
            tag(tags, "span.kind", kind.toLowerCase(Locale.ROOT));
        }
        String status = text(row.getField("status_code"));
        if (!status.isEmpty() && !status.equals("UNSET")) {
            tag(tags, "otel.status_code", status);
        }
        if (!text(row.getField("status_message")).isEmpty()) {
            tag(tags, "otel.status_description", text(row.getField("status_message")));
        }
        if (Boolean.TRUE.equals(row.getField("error"))) {
            tags.addObject().put("key", "error").put("type", "bool").put("value", true);
        }
        tag(tags, OtlpJson.POLICY, text(row.getField("sampling_policy")));
        tags.addObject().put("key", OtlpJson.PROBABILITY).put("type", "float64").put("value", (Double)
                row.getField("sample_probability"));
        tags.addObject()
                .put("key", OtlpJson.ADJUSTED_COUNT)
                .put("type", "float64")
                .put("value", (Double) row.getField("adjusted_count"));
        ArrayNode logs = span.putArray("logs");
        for (Record event : records(row.getField("events"))) {
            ObjectNode log = logs.addObject();
            Long time = (Long) event.getField("time_unix_nano");
            log.put("timestamp", (time == null ? 0L : time) / 1_000L);
            ArrayNode fields = log.putArray("fields");
            tag(fields, "event", text(event.getField("name")));
            new TreeMap<>(stringMap(event.getField("attributes"))).forEach((key, value) -> tag(fields, key, value));
        }
        span.put("processID", processId);
        span.putNull("warnings");
        return span;
    }

    private static void tag(ArrayNode tags, String key, String value) {
        if (!value.isEmpty()) {
            tags.addObject().put("key", key).put("type", "string").put("value", value);
        }
    }
}

package dev.tailsampling.jobs.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.util.JsonFormat;
import dev.tailsampling.iceberg.IcebergCatalogConf;
import dev.tailsampling.iceberg.SpansTable;
import dev.tailsampling.iceberg.TableWrites;
import dev.tailsampling.iceberg.TraceIndexTable;
import dev.tailsampling.iceberg.WarehouseSql;
import dev.tailsampling.jobs.warehouse.GeneratedWarehouse;
import dev.tailsampling.sampling.DecisionTrigger;
import dev.tailsampling.sampling.SpanEvent;
import dev.tailsampling.sampling.SpanLink;
import dev.tailsampling.sampling.summary.TraceLocation;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.flink.types.Row;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The query API over a generated warehouse (the job's row mappers, Iceberg's writer): every answer
 * checked against the tables read directly, v3 answers validated against Jaeger's published
 * OpenAPI contract, OTLP/JSON traces parsed back with protobuf's JSON parser, bad requests
 * answered with 400s that carry a message and no stack trace.
 */
class QueryServerTest {
    @TempDir
    static Path warehouse;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static IcebergCatalogConf catalog;
    private static GeneratedWarehouse.Truth truth;
    private static QueryServer server;

    @BeforeAll
    static void serve() throws Exception {
        catalog = IcebergCatalogConf.localWarehouse(warehouse.toUri().toString());
        truth = GeneratedWarehouse.write(
                catalog, new GeneratedWarehouse.Spec(1_500, 2, 6, 2, 0.2, 5), Instant.now(), List.of());
        server = start(new QueryServer.Settings("localhost", 0, Duration.ofSeconds(30), 20_000));
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private static QueryServer start(QueryServer.Settings settings) throws Exception {
        return QueryServer.start(new TraceQueries(catalog, Duration.ofDays(7), Clock.systemUTC()), settings);
    }

    @Test
    void aTraceByIdIsOtlpJsonOfItsRowsWithItsSamplingDecision() throws Exception {
        for (String traceId : truth.keptTraceIds.subList(0, 5)) {
            JsonNode body = get(server, "api/v3/traces/" + traceId, 200);
            assertThat(errors(body, "opentelemetry.proto.trace.v1.TracesData")).isEmpty();
            Map<String, Span> spans = new HashMap<>();
            Map<String, String> serviceOfSpan = new HashMap<>();
            for (ResourceSpans resource : parseOtlp(body).getResourceSpansList()) {
                String service =
                        attributes(resource.getResource().getAttributesList()).get("service.name");
                for (ScopeSpans scope : resource.getScopeSpansList()) {
                    for (Span span : scope.getSpansList()) {
                        String spanId =
                                HexFormat.of().formatHex(span.getSpanId().toByteArray());
                        spans.put(spanId, span);
                        serviceOfSpan.put(spanId, service);
                    }
                }
            }
            List<Record> rows = rows(traceId);
            assertThat(spans.keySet())
                    .isEqualTo(rows.stream()
                            .map(r -> (String) r.getField("span_id"))
                            .collect(Collectors.toSet()));
            for (Record row : rows) {
                Span span = spans.get((String) row.getField("span_id"));
                assertThat(HexFormat.of().formatHex(span.getTraceId().toByteArray()))
                        .isEqualTo(traceId);
                assertThat(HexFormat.of().formatHex(span.getParentSpanId().toByteArray()))
                        .isEqualTo(OtlpJson.text(row.getField("parent_span_id")));
                assertThat(span.getName()).isEqualTo(row.getField("operation_name"));
                assertThat(span.getKind().name()).isEqualTo("SPAN_KIND_" + row.getField("span_kind"));
                assertThat(span.getStartTimeUnixNano()).isEqualTo(row.getField("start_time_unix_nano"));
                assertThat(span.getEndTimeUnixNano()).isEqualTo(row.getField("end_time_unix_nano"));
                assertThat(span.getStatus().getCode().name())
                        .isEqualTo("STATUS_CODE_" + OtlpJson.text(row.getField("status_code")));
                assertThat(serviceOfSpan.get((String) row.getField("span_id"))).isEqualTo(row.getField("service_name"));
                Map<String, String> attributes = attributes(span.getAttributesList());
                Map<String, String> expected = new TreeMap<>(OtlpJson.stringMap(row.getField("attributes")));
                expected.put(OtlpJson.POLICY, (String) row.getField("sampling_policy"));
                expected.put(
                        OtlpJson.PROBABILITY, row.getField("sample_probability").toString());
                expected.put(
                        OtlpJson.ADJUSTED_COUNT, row.getField("adjusted_count").toString());
                expected.put(OtlpJson.TRIGGER, (String) row.getField("sampling_trigger"));
                expected.values().removeIf(value -> value == null || value.isEmpty());
                if (Boolean.TRUE.equals(row.getField("trace_incomplete"))) {
                    expected.put(OtlpJson.INCOMPLETE, "true");
                }
                assertThat(attributes).isEqualTo(expected);
                assertThat(span.getEventsCount())
                        .isEqualTo(OtlpJson.records(row.getField("events")).size());
                assertThat(span.getLinksCount())
                        .isEqualTo(OtlpJson.records(row.getField("links")).size());
            }
        }
    }

    @Test
    void aTraceIsAnsweredFromTheCacheUntilTheTablesChangeAndKeepsItsEventsAndLinks() throws Exception {
        TraceQueries queries = new TraceQueries(catalog, Duration.ofDays(7), Clock.systemUTC());
        String traceId = truth.keptTraceIds.get(11);
        List<Record> first = queries.trace(traceId);
        assertThat(queries.trace(traceId)).isSameAs(first);

        // A late span of the trace, committed as the job commits one: with an event and a link.
        Record root = first.stream()
                .filter(r -> OtlpJson.text(r.getField("parent_span_id")).isEmpty())
                .findFirst()
                .orElseThrow();
        dev.tailsampling.sampling.Span late = new dev.tailsampling.sampling.Span();
        late.traceId = traceId;
        late.spanId = "00000000000000aa";
        late.parentSpanId = (String) root.getField("span_id");
        late.serviceName = (String) root.getField("service_name");
        late.operationName = "retry";
        late.spanKind = "INTERNAL";
        late.statusCode = "UNSET";
        late.startTimeUnixNano = (Long) root.getField("start_time_unix_nano") + 1_000;
        late.endTimeUnixNano = late.startTimeUnixNano + 1_000;
        late.durationNs = 1_000;
        late.events.add(new SpanEvent(late.startTimeUnixNano + 10, "cache miss", Map.of("cache.key", "k1")));
        SpanLink link = new SpanLink();
        link.traceId = truth.keptTraceIds.get(12);
        link.spanId = "00000000000000bb";
        link.relationship = "follows_from";
        link.attributes = Map.of("messaging.batch", "7");
        late.links.add(link);
        late.markKept("late", 1.0, DecisionTrigger.LATE, false);
        TableWrites.append(catalog.loadTable("spans"), SpansTable.TABLE, SpansTable.COLUMNS.rows(), List.of(late));
        TableWrites.append(
                catalog.loadTable("trace_index"),
                TraceIndexTable.TABLE,
                TraceIndexTable.COLUMNS.rows(),
                TraceLocation.of(List.of(late)));

        assertThat(queries.trace(traceId)).hasSize(first.size() + 1);
        JsonNode answer = get(server, "api/v3/traces/" + traceId, 200);
        assertThat(errors(answer, "opentelemetry.proto.trace.v1.TracesData")).isEmpty();
        Span retry = parseOtlp(answer).getResourceSpansList().stream()
                .flatMap(r -> r.getScopeSpansList().stream())
                .flatMap(scope -> scope.getSpansList().stream())
                .filter(span -> span.getName().equals("retry"))
                .findFirst()
                .orElseThrow();
        assertThat(retry.getEvents(0).getName()).isEqualTo("cache miss");
        assertThat(attributes(retry.getEvents(0).getAttributesList())).containsEntry("cache.key", "k1");
        assertThat(HexFormat.of().formatHex(retry.getLinks(0).getTraceId().toByteArray()))
                .isEqualTo(link.traceId);
        assertThat(attributes(retry.getLinks(0).getAttributesList())).containsEntry("messaging.batch", "7");
        JsonNode classic =
                get(server, "api/traces/" + traceId, 200).path("data").get(0);
        assertThat(classic.path("spans").findValues("refType").stream().map(JsonNode::asText))
                .contains("FOLLOWS_FROM");
        assertThat(classic.path("spans").findValues("fields").toString()).contains("cache miss");
    }

    @Test
    void theClassicApiGivesTheSameTraceInJaegersModel() throws Exception {
        String traceId = truth.keptTraceIds.get(7);
        JsonNode trace = get(server, "api/traces/" + traceId, 200).path("data").get(0);
        List<Record> rows = rows(traceId);
        assertThat(trace.path("traceID").asText()).isEqualTo(traceId);
        assertThat(trace.path("spans")).hasSize(rows.size());
        Set<String> services = new TreeSet<>();
        trace.path("processes").forEach(p -> services.add(p.path("serviceName").asText()));
        assertThat(services)
                .isEqualTo(rows.stream()
                        .map(r -> (String) r.getField("service_name"))
                        .collect(Collectors.toCollection(TreeSet::new)));
        Map<String, Record> byId = rows.stream().collect(Collectors.toMap(r -> (String) r.getField("span_id"), r -> r));
        for (JsonNode span : trace.path("spans")) {
            Record row = byId.get(span.path("spanID").asText());
            assertThat(span.path("operationName").asText()).isEqualTo(row.getField("operation_name"));
            assertThat(span.path("startTime").asLong()).isEqualTo((Long) row.getField("start_time_unix_nano") / 1_000);
            assertThat(trace.path("processes")
                            .path(span.path("processID").asText())
                            .path("serviceName")
                            .asText())
                    .isEqualTo(row.getField("service_name"));
            String parent = OtlpJson.text(row.getField("parent_span_id"));
            List<String> parents = new ArrayList<>();
            span.path("references").forEach(r -> {
                if (r.path("refType").asText().equals("CHILD_OF")) {
                    parents.add(r.path("spanID").asText());
                }
            });
            assertThat(parents).isEqualTo(parent.isEmpty() ? List.of() : List.of(parent));
            Map<String, String> tags = new HashMap<>();
            span.path("tags")
                    .forEach(t ->
                            tags.put(t.path("key").asText(), t.path("value").asText()));
            assertThat(Double.parseDouble(tags.get(OtlpJson.ADJUSTED_COUNT))).isEqualTo(row.getField("adjusted_count"));
        }
    }

    @Test
    void servicesAndOperationsAreThoseOfServiceMetrics() throws Exception {
        Map<String, Set<String>> operations = new TreeMap<>();
        try (CloseableIterable<Record> rows =
                IcebergGenerics.read(catalog.loadTable("service_metrics")).build()) {
            for (Record row : rows) {
                operations
                        .computeIfAbsent((String) row.getField("service_name"), k -> new TreeSet<>())
                        .add(row.getField("operation_name") + " "
                                + ((String) row.getField("span_kind")).toLowerCase(Locale.ROOT));
            }
        }
        assertThat(operations).hasSize(6);

        JsonNode services = get(server, "api/v3/services", 200);
        assertThat(errors(services, "jaeger.api_v3.GetServicesResponse")).isEmpty();
        assertThat(strings(services.path("services"))).isEqualTo(List.copyOf(operations.keySet()));
        assertThat(strings(get(server, "api/services", 200).path("data"))).isEqualTo(List.copyOf(operations.keySet()));

        String service = operations.keySet().iterator().next();
        JsonNode ofService = get(server, "api/v3/operations?service=" + service, 200);
        assertThat(errors(ofService, "jaeger.api_v3.GetOperationsResponse")).isEmpty();
        Set<String> answered = new TreeSet<>();
        ofService
                .path("operations")
                .forEach(o -> answered.add(
                        o.path("name").asText() + " " + o.path("spanKind").asText()));
        assertThat(answered).isEqualTo(operations.get(service));

        JsonNode servers = get(server, "api/v3/operations?service=" + service + "&spanKind=server", 200);
        assertThat(servers.path("operations"))
                .isNotEmpty()
                .allSatisfy(o -> assertThat(o.path("spanKind").asText()).isEqualTo("server"));
        assertThat(servers.path("operations").size()).isLessThan(answered.size());

        JsonNode classicServers = get(server, "api/operations?service=" + service + "&spanKind=server", 200);
        assertThat(classicServers.path("data").toString())
                .isEqualTo(servers.path("operations").toString());
        assertThat(new TreeSet<>(strings(get(server, "api/services/" + service + "/operations", 200)
                        .path("data"))))
                .isEqualTo(operations.get(service).stream()
                        .map(o -> o.substring(0, o.lastIndexOf(' ')))
                        .collect(Collectors.toCollection(TreeSet::new)));
    }

    @Test
    void aSearchFindsWhatFlinkSqlFindsForTheSameQuestion() throws Exception {
        String service = "checkout";
        Instant from = Instant.ofEpochMilli(truth.endMillis).minus(Duration.ofMinutes(90));
        Instant to = from.plus(Duration.ofMinutes(60));
        String question = spansOf(service, from, to) + " AND duration_ns >= 20000000";
        Set<String> slow = sql("SELECT DISTINCT trace_id FROM (" + question + ")");
        assertThat(slow).hasSizeBetween(10, 999);

        JsonNode v3 = get(
                server,
                "api/v3/traces?query.serviceName=" + service + "&query.startTimeMin=" + from + "&query.startTimeMax="
                        + to + "&query.durationMin=0.02s&query.searchDepth=1000",
                200);
        assertThat(errors(v3, "opentelemetry.proto.trace.v1.TracesData")).isEmpty();
        Map<String, Integer> spansByTrace = new HashMap<>();
        for (ResourceSpans resource : parseOtlp(v3).getResourceSpansList()) {
            for (ScopeSpans scope : resource.getScopeSpansList()) {
                for (Span span : scope.getSpansList()) {
                    spansByTrace.merge(
                            HexFormat.of().formatHex(span.getTraceId().toByteArray()), 1, Integer::sum);
                }
            }
        }
        assertThat(spansByTrace.keySet()).isEqualTo(slow);
        String oneTrace = slow.iterator().next();
        assertThat(spansByTrace.get(oneTrace))
                .as("every span of a trace found")
                .isEqualTo(rows(oneTrace).size());

        String classic = classicSearch(service, from, to) + "&minDuration=20ms&limit=1000";
        assertThat(traceIds(get(server, classic, 200))).isEqualTo(slow);
        Set<String> premium =
                sql("SELECT DISTINCT trace_id FROM (" + question + " AND attributes['user.tier'] = 'premium')");
        assertThat(premium).isNotEmpty().hasSizeLessThan(slow.size());
        assertThat(traceIds(get(server, classic + "&tags=" + tags("user.tier", "premium"), 200)))
                .isEqualTo(premium);
        Set<String> newestThree = sql("SELECT trace_id FROM (" + question + ") GROUP BY trace_id"
                + " ORDER BY MAX(start_time_unix_nano) DESC LIMIT 3");
        assertThat(traceIds(get(server, classic.replace("limit=1000", "limit=3"), 200)))
                .isEqualTo(newestThree);

        // Jaeger's UI searches errors by the tag error=true: the span's error flag.
        Instant first = Instant.ofEpochMilli(truth.endMillis).minus(Duration.ofHours(2));
        Set<String> failed = sql("SELECT DISTINCT trace_id FROM ("
                + spansOf(service, first, first.plus(Duration.ofHours(2))) + " AND error)");
        assertThat(failed).isNotEmpty();
        assertThat(traceIds(get(
                        server,
                        classicSearch(service, first, first.plus(Duration.ofHours(2))) + "&tags="
                                + tags("error", "true"),
                        200)))
                .isEqualTo(failed);
    }

    @Test
    void dependenciesAreTheServiceGraphsCallsBetweenServices() throws Exception {
        Map<String, Long> expected = new TreeMap<>();
        for (Row row : WarehouseSql.open(catalog)
                .query("SELECT caller_service, callee_service, SUM(estimated_calls) FROM service_edges"
                        + " WHERE caller_service <> callee_service GROUP BY caller_service, callee_service")) {
            expected.put(row.getField(0) + " -> " + row.getField(1), Math.round((Double) row.getField(2)));
        }
        assertThat(expected).hasSizeGreaterThan(5);
        Instant from = Instant.ofEpochMilli(truth.endMillis).minus(Duration.ofHours(3));
        Instant to = Instant.ofEpochMilli(truth.endMillis).plus(Duration.ofHours(1));

        JsonNode v3 = get(server, "api/v3/dependencies?startTime=" + from + "&endTime=" + to, 200);
        assertThat(errors(v3, "jaeger.api_v3.DependenciesResponse")).isEmpty();
        Map<String, Long> answered = new TreeMap<>();
        v3.path("dependencies")
                .forEach(d -> answered.put(
                        d.path("parent").asText() + " -> " + d.path("child").asText(),
                        Long.parseLong(d.path("callCount").asText())));
        assertThat(answered).isEqualTo(expected);

        JsonNode classic = get(
                server,
                "api/dependencies?endTs=" + to.toEpochMilli() + "&lookback="
                        + Duration.ofHours(4).toMillis(),
                200);
        Map<String, Long> classicAnswered = new TreeMap<>();
        classic.path("data")
                .forEach(d -> classicAnswered.put(
                        d.path("parent").asText() + " -> " + d.path("child").asText(),
                        d.path("callCount").asLong()));
        assertThat(classicAnswered).isEqualTo(expected);
        assertRefused("api/v3/dependencies?startTime=" + from, 400, 3, "endTime is required");
    }

    private static String spansOf(String service, Instant from, Instant to) {
        return "SELECT trace_id, start_time_unix_nano FROM spans WHERE service_name = '" + service + "'"
                + " AND start_time_unix_nano >= " + from.toEpochMilli() * 1_000_000L
                + " AND start_time_unix_nano < " + to.toEpochMilli() * 1_000_000L;
    }

    private static String classicSearch(String service, Instant from, Instant to) {
        return "api/traces?service=" + service + "&start=" + from.toEpochMilli() * 1_000 + "&end="
                + to.toEpochMilli() * 1_000;
    }

    private static String tags(String key, String value) {
        return URLEncoder.encode("{\"" + key + "\":\"" + value + "\"}", StandardCharsets.UTF_8);
    }

    @Test
    void badRequestsAreAnsweredWithTheirReasonAndNoStackTrace() throws Exception {
        assertRefused("api/v3/traces/not-a-trace", 400, 3, "not a trace id");
        assertRefused("api/v3/traces/" + "0".repeat(32), 400, 3, "not all zeros");
        assertRefused("api/v3/operations", 400, 3, "service is required");
        assertRefused("api/v3/operations?service=a&spanKind=sideways", 400, 3, "not one of server");
        assertRefused("api/v3/traces/" + "ab".repeat(16), 404, 5, "not in trace_index");
        // A 64-bit id is a 128-bit one with zeros before it: a lookup, so not found here, not refused.
        assertRefused("api/v3/traces/" + "ab".repeat(8), 404, 5, "0000000000000000abababababababab");
        assertRefused("api/v3/nothing", 404, 5, "served: /api/v3/services");
        String search = "api/v3/traces?query.serviceName=checkout&query.startTimeMin=2026-12-03T10:00:00Z";
        assertRefused(search, 400, 3, "query.startTimeMax is required");
        assertRefused(search + "&query.startTimeMax=noon", 400, 3, "not an RFC 3339 time");
        assertRefused(search + "&query.startTimeMax=2026-12-03T09:00:00Z", 400, 3, "the time range is empty");
        String dayLong = search + "&query.startTimeMax=2026-12-04T10:00:00Z";
        assertRefused(dayLong + "&query.durationMin=fast", 400, 3, "not a duration such as 1.5s");
        assertRefused(dayLong + "&query.searchDepth=0", 400, 3, "from 1 to 1000");
        assertRefused(dayLong + "&query.attributes=%7Bnope", 400, 3, "query.attributes is not JSON");
        assertRefused(dayLong + "&query.filter=%7B%7D", 400, 3, "query.filter is not supported");

        JsonNode classic = get(server, "api/traces/xyz", 400);
        assertThat(classic.path("data").isNull()).isTrue();
        assertThat(classic.path("errors").get(0).path("code").asInt()).isEqualTo(400);
        assertThat(classic.path("errors").get(0).path("msg").asText()).contains("not a trace id");

        HttpResponse<String> posted = HTTP.send(
                HttpRequest.newBuilder(server.uri().resolve("api/v3/services"))
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(posted.statusCode()).isEqualTo(405);
        assertThat(posted.body()).contains("every endpoint takes GET").doesNotContain("Exception");
    }

    @Test
    void aTraceOverTheCapAndAQueryOverTheTimeLimitAreRefused() throws Exception {
        String traceId = truth.keptTraceIds.stream()
                .filter(id -> rows(id).size() > 1)
                .findFirst()
                .orElseThrow();
        try (QueryServer capped = start(new QueryServer.Settings("localhost", 0, Duration.ofSeconds(30), 1))) {
            JsonNode body = get(capped, "api/v3/traces/" + traceId, 413);
            assertThat(body.path("message").asText()).contains("over the 1 an answer holds (--serve.max-spans)");
        }
        try (QueryServer hurried = start(new QueryServer.Settings("localhost", 0, Duration.ofNanos(1), 20_000))) {
            JsonNode body = get(hurried, "api/v3/traces/" + traceId, 504);
            assertThat(body.path("code").asInt()).isEqualTo(4);
            assertThat(body.path("message").asText()).contains("(--serve.timeout)");
        }
    }

    @Test
    void theContractCheckRefusesWhatTheContractRefuses() throws Exception {
        assertThat(errors(JSON.readTree("{\"services\": \"payment\"}"), "jaeger.api_v3.GetServicesResponse"))
                .isNotEmpty();
        assertThat(errors(JSON.readTree("{}"), "jaeger.api_v3.GetOperationsResponse"))
                .isNotEmpty();
        JsonNode trace = get(server, "api/v3/traces/" + truth.keptTraceIds.get(0), 200);
        ObjectNode span = (ObjectNode) trace.at("/resourceSpans/0/scopeSpans/0/spans/0");
        span.put("kind", "SPAN_KIND_SERVER");
        span.put("startTimeUnixNano", 1L);
        assertThat(errors(trace, "opentelemetry.proto.trace.v1.TracesData")).hasSize(2);
    }

    private static void assertRefused(String path, int status, int code, String reason) throws Exception {
        JsonNode body = get(server, path, status);
        assertThat(errors(body, "google.rpc.Status")).isEmpty();
        assertThat(body.path("code").asInt()).as(path).isEqualTo(code);
        assertThat(body.path("message").asText()).as(path).contains(reason).doesNotContain("Exception");
    }

    private static JsonNode get(QueryServer on, String path, int status) throws Exception {
        return JaegerContract.get(on.uri(), path, status);
    }

    private static List<String> errors(JsonNode body, String schema) {
        return JaegerContract.errors(body, schema);
    }

    /** OTLP/JSON parsed with protobuf's JSON parser, after its one difference: ids in hex, not base64. */
    private static TracesData parseOtlp(JsonNode body) throws Exception {
        JsonNode copy = body.deepCopy();
        hexIdsToBase64(copy);
        TracesData.Builder data = TracesData.newBuilder();
        JsonFormat.parser().merge(copy.toString(), data);
        return data.build();
    }

    private static void hexIdsToBase64(JsonNode node) {
        if (node instanceof ObjectNode object) {
            for (String field : List.of("traceId", "spanId", "parentSpanId")) {
                if (object.has(field)) {
                    object.put(
                            field,
                            Base64.getEncoder()
                                    .encodeToString(HexFormat.of()
                                            .parseHex(object.get(field).asText())));
                }
            }
        }
        node.forEach(QueryServerTest::hexIdsToBase64);
    }

    private static Map<String, String> attributes(List<KeyValue> list) {
        Map<String, String> out = new TreeMap<>();
        for (KeyValue kv : list) {
            out.put(
                    kv.getKey(),
                    switch (kv.getValue().getValueCase()) {
                        case DOUBLE_VALUE -> Double.toString(kv.getValue().getDoubleValue());
                        case BOOL_VALUE -> Boolean.toString(kv.getValue().getBoolValue());
                        default -> kv.getValue().getStringValue();
                    });
        }
        return out;
    }

    private static Set<String> sql(String query) throws Exception {
        return WarehouseSql.open(catalog).query(query).stream()
                .map(row -> (String) row.getField(0))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> traceIds(JsonNode classic) {
        Set<String> ids = new TreeSet<>();
        classic.path("data").forEach(trace -> ids.add(trace.path("traceID").asText()));
        assertThat(ids).hasSize(classic.path("total").asInt());
        return ids;
    }

    private static List<Record> rows(String traceId) {
        List<Record> rows = new ArrayList<>();
        try (CloseableIterable<Record> read = IcebergGenerics.read(catalog.loadTable("spans"))
                .where(Expressions.equal("trace_id", traceId))
                .build()) {
            read.forEach(r -> {
                if (traceId.equals(r.getField("trace_id"))) {
                    rows.add(r.copy());
                }
            });
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return rows;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}

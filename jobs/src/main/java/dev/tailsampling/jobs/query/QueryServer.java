package dev.tailsampling.jobs.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.iceberg.data.Record;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.URIUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jaeger's query API over the tables, on Jetty: the v3 endpoints, whose traces are OTLP/JSON, and
 * the classic ones that Jaeger's UI and Grafana's Jaeger data source call. Each query runs on a
 * pool of its own under a time limit (504 past it); a bad trace id or a missing parameter is a 400
 * with a message, an unknown trace a 404, a trace over the span cap a 413; failures are a 500 with
 * one line, the stack trace only in the log.
 */
public final class QueryServer implements AutoCloseable {
    /** Where to listen, how long a query may take, and the most spans a trace answer holds. */
    public record Settings(String host, int port, Duration timeout, int maxSpans) {}

    private static final Logger LOG = LoggerFactory.getLogger(QueryServer.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Pattern V3_TRACE = Pattern.compile("/api/v3/traces/([^/]+)");
    private static final Pattern CLASSIC_TRACE = Pattern.compile("/api/traces/([^/]+)");
    private static final Pattern CLASSIC_OPERATIONS = Pattern.compile("/api/services/([^/]+)/operations");
    private static final Pattern TRACE_ID = Pattern.compile("[0-9a-fA-F]{1,32}");
    private static final Pattern GO_DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");
    private static final Map<String, Double> GO_UNITS =
            Map.of("ns", 1.0, "us", 1e3, "µs", 1e3, "ms", 1e6, "s", 1e9, "m", 60e9, "h", 3600e9);
    /** Jaeger's UI asks for 20 traces unless told otherwise; more than 1,000 is refused. */
    private static final int DEFAULT_LIMIT = 20;

    private static final int MAX_LIMIT = 1_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TraceQueries queries;
    private final Settings settings;
    private final ExecutorService pool;
    private final Server server;
    private final ServerConnector connector;

    private QueryServer(TraceQueries queries, Settings settings) {
        this.queries = queries;
        this.settings = settings;
        this.pool =
                Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()));
        this.server = new Server();
        this.connector = new ServerConnector(server);
        connector.setHost(settings.host());
        connector.setPort(settings.port());
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                Answer answer = answer(request);
                response.setStatus(answer.status());
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                Content.Sink.write(response, true, answer.body().toString(), callback);
                return true;
            }
        });
    }

    /** Starts serving; port 0 takes a free one ({@link #uri()} tells which). */
    public static QueryServer start(TraceQueries queries, Settings settings) throws Exception {
        QueryServer started = new QueryServer(queries, settings);
        try {
            started.server.start();
        } catch (Exception e) {
            started.close();
            throw e;
        }
        return started;
    }

    /** The server's address, such as {@code http://localhost:16686/}. */
    public URI uri() {
        String host = settings.host().isEmpty() || settings.host().equals("0.0.0.0") ? "localhost" : settings.host();
        return URI.create("http://" + host + ":" + connector.getLocalPort() + "/");
    }

    /** Blocks until the server stops. */
    public void join() throws InterruptedException {
        server.join();
    }

    @Override
    public void close() throws Exception {
        server.stop();
        pool.shutdownNow();
    }

    /** A response: its HTTP status and JSON body. */
    private record Answer(int status, JsonNode body) {}

    /** A request the server refuses, with the status and the message it answers with. */
    private static final class Refused extends RuntimeException {
        final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private Answer answer(Request request) {
        String path = Request.getPathInContext(request);
        boolean v3 = path.startsWith("/api/v3/");
        try {
            if (!request.getMethod().equals("GET")) {
                throw new Refused(405, request.getMethod() + " is not served: every endpoint takes GET");
            }
            Fields params = Request.extractQueryParameters(request);
            return new Answer(200, run(() -> route(path, params)));
        } catch (Refused e) {
            return failure(v3, e.status, e.getMessage());
        } catch (TimeoutException e) {
            return failure(
                    v3, 504, "the query took longer than " + settings.timeout().toMillis() + " ms (--serve.timeout)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failure(v3, 503, "the server is stopping");
        } catch (RuntimeException | ExecutionException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            if (cause instanceof Refused refused) {
                return failure(v3, refused.status, refused.getMessage());
            }
            LOG.warn("{} failed", path, cause);
            return failure(v3, 500, "cannot read the tables: " + cause.getMessage());
        }
    }

    private JsonNode run(Callable<JsonNode> query) throws ExecutionException, InterruptedException, TimeoutException {
        Future<JsonNode> running = pool.submit(query);
        try {
            return running.get(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            running.cancel(true);
        }
    }

    private JsonNode route(String path, Fields params) {
        Matcher match;
        if (path.equals("/api/v3/services")) {
            ObjectNode body = NODES.objectNode();
            ArrayNode services = body.putArray("services");
            queries.services().forEach(services::add);
            return body;
        }
        if (path.equals("/api/v3/operations")) {
            String service = required(params, "service");
            ObjectNode body = NODES.objectNode();
            ArrayNode operations = body.putArray("operations");
            for (TraceQueries.Operation operation : queries.operations(service, spanKind(params))) {
                operations.addObject().put("name", operation.name()).put("spanKind", operation.spanKind());
            }
            return body;
        }
        if (path.equals("/api/v3/dependencies")) {
            ObjectNode body = NODES.objectNode();
            ArrayNode dependencies = body.putArray("dependencies");
            for (TraceQueries.Dependency dependency :
                    queries.dependencies(time(params, "startTime"), time(params, "endTime"))) {
                dependencies
                        .addObject()
                        .put("parent", dependency.parent())
                        .put("child", dependency.child())
                        .put("callCount", Long.toString(dependency.callCount()));
            }
            return body;
        }
        if (path.equals("/api/dependencies")) {
            Instant end =
                    params.getValue("endTs") == null ? Instant.now() : Instant.ofEpochMilli(millis(params, "endTs"));
            long lookback =
                    params.getValue("lookback") == null ? Duration.ofDays(1).toMillis() : millis(params, "lookback");
            ArrayNode data = NODES.arrayNode();
            List<TraceQueries.Dependency> dependencies = queries.dependencies(end.minusMillis(lookback), end);
            for (TraceQueries.Dependency dependency : dependencies) {
                data.addObject()
                        .put("parent", dependency.parent())
                        .put("child", dependency.child())
                        .put("callCount", dependency.callCount());
            }
            return JaegerJson.envelope(data, dependencies.size());
        }
        if (path.equals("/api/v3/traces")) {
            return OtlpJson.tracesData(spansOf(queries.search(v3Search(params))));
        }
        if (path.equals("/api/traces")) {
            List<List<Record>> traces = queries.search(classicSearch(params));
            spansOf(traces); // refuses an answer over the cap
            ArrayNode data = NODES.arrayNode();
            traces.forEach(
                    trace -> data.add(JaegerJson.trace((String) trace.get(0).getField("trace_id"), trace)));
            return JaegerJson.envelope(data, traces.size());
        }
        if ((match = V3_TRACE.matcher(path)).matches()) {
            return OtlpJson.tracesData(trace(match.group(1)));
        }
        if (path.equals("/api/services")) {
            return JaegerJson.names(queries.services());
        }
        if (path.equals("/api/operations")) {
            // Jaeger's UI asks this one for a service's operations of a kind.
            ArrayNode data = NODES.arrayNode();
            List<TraceQueries.Operation> operations = queries.operations(required(params, "service"), spanKind(params));
            operations.forEach(
                    operation -> data.addObject().put("name", operation.name()).put("spanKind", operation.spanKind()));
            return JaegerJson.envelope(data, operations.size());
        }
        if ((match = CLASSIC_OPERATIONS.matcher(path)).matches()) {
            // The path comes encoded: a service name may hold spaces or other escaped characters.
            return JaegerJson.names(queries.operations(URIUtil.decodePath(match.group(1)), "").stream()
                    .map(TraceQueries.Operation::name)
                    .distinct()
                    .toList());
        }
        if ((match = CLASSIC_TRACE.matcher(path)).matches()) {
            String traceId = traceId(match.group(1));
            ArrayNode data = NODES.arrayNode();
            data.add(JaegerJson.trace(traceId, trace(traceId)));
            return JaegerJson.envelope(data, 1);
        }
        throw new Refused(
                404,
                "no endpoint " + path + "; served: /api/v3/services, /api/v3/operations, /api/v3/traces,"
                        + " /api/v3/traces/{traceId}, /api/v3/dependencies, /api/services,"
                        + " /api/services/{service}/operations, /api/operations, /api/traces, /api/traces/{traceId},"
                        + " /api/dependencies");
    }

    /** The search of {@code GET /api/v3/traces}: its {@code query.*} parameters. */
    private static TraceQueries.Search v3Search(Fields params) {
        if (params.getValue("query.filter") != null) {
            throw new Refused(
                    400, "query.filter is not supported; give query.attributes, a JSON object of attribute values");
        }
        return nonEmpty(new TraceQueries.Search(
                required(params, "query.serviceName"),
                optional(params, "query.operationName"),
                attributes(params, "query.attributes"),
                time(params, "query.startTimeMin"),
                time(params, "query.startTimeMax"),
                duration(params, "query.durationMin"),
                duration(params, "query.durationMax"),
                limit(params, "query.searchDepth")));
    }

    /**
     * The search of the classic {@code GET /api/traces}, as Jaeger's UI and Grafana send it: times in
     * microseconds, {@code end} now and {@code start} a {@code lookback} (1h) before it if absent.
     */
    private static TraceQueries.Search classicSearch(Fields params) {
        Instant end = params.getValue("end") == null ? Instant.now() : micros(params, "end");
        Duration lookback = Optional.ofNullable(duration(params, "lookback")).orElse(Duration.ofHours(1));
        Instant start = params.getValue("start") == null ? end.minus(lookback) : micros(params, "start");
        return nonEmpty(new TraceQueries.Search(
                required(params, "service"),
                optional(params, "operation"),
                attributes(params, "tags"),
                start,
                end,
                duration(params, "minDuration"),
                duration(params, "maxDuration"),
                limit(params, "limit")));
    }

    private static TraceQueries.Search nonEmpty(TraceQueries.Search search) {
        if (!search.from().isBefore(search.to())) {
            throw new Refused(
                    400,
                    "the time range is empty: its start " + search.from() + " is not before its end " + search.to());
        }
        return search;
    }

    /** Every span of the traces found, within the cap on an answer's spans. */
    private List<Record> spansOf(List<List<Record>> traces) {
        List<Record> spans = new ArrayList<>();
        traces.forEach(spans::addAll);
        if (spans.size() > settings.maxSpans()) {
            throw new Refused(
                    413,
                    "the " + traces.size() + " traces found hold " + spans.size() + " spans, over the "
                            + settings.maxSpans() + " an answer holds (--serve.max-spans): ask for fewer traces");
        }
        return spans;
    }

    private static String optional(Fields params, String name) {
        String value = params.getValue(name);
        return value == null ? "" : value;
    }

    private static Instant time(Fields params, String name) {
        String value = required(params, name);
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw new Refused(400, name + " '" + value + "' is not an RFC 3339 time such as 2026-12-03T10:00:00Z");
        }
    }

    private static long millis(Fields params, String name) {
        String value = params.getValue(name);
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new Refused(400, name + " '" + value + "' is not a number of milliseconds");
        }
    }

    private static Instant micros(Fields params, String name) {
        String value = params.getValue(name);
        try {
            long micros = Long.parseLong(value);
            return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
        } catch (NumberFormatException e) {
            throw new Refused(400, name + " '" + value + "' is not a time in microseconds since the epoch");
        }
    }

    /** A duration as Go writes them, which both APIs take: 1.5s, 250ms, 2m30s; null if absent. */
    static Duration duration(Fields params, String name) {
        String value = params.getValue(name);
        if (value == null || value.isEmpty()) {
            return null;
        }
        Matcher part = GO_DURATION_PART.matcher(value);
        double nanos = 0;
        int end = 0;
        while (part.find() && part.start() == end) {
            nanos += Double.parseDouble(part.group(1)) * GO_UNITS.get(part.group(2));
            end = part.end();
        }
        if (end == 0 || end != value.length()) {
            throw new Refused(400, name + " '" + value + "' is not a duration such as 1.5s, 250ms or 2m30s");
        }
        return Duration.ofNanos(Math.round(nanos));
    }

    private static Map<String, String> attributes(Fields params, String name) {
        String value = params.getValue(name);
        if (value == null || value.isEmpty()) {
            return Map.of();
        }
        try {
            JsonNode object = JSON.readTree(value);
            if (!object.isObject()) {
                throw new Refused(
                        400, name + " must be a JSON object of attribute values, such as {\"error\":\"true\"}");
            }
            Map<String, String> attributes = new TreeMap<>();
            object.fields()
                    .forEachRemaining(field ->
                            attributes.put(field.getKey(), field.getValue().asText()));
            return attributes;
        } catch (JsonProcessingException e) {
            throw new Refused(400, name + " is not JSON: " + e.getOriginalMessage());
        }
    }

    private static int limit(Fields params, String name) {
        String value = params.getValue(name);
        if (value == null || value.isEmpty()) {
            return DEFAULT_LIMIT;
        }
        int limit;
        try {
            limit = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            limit = 0;
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new Refused(400, name + " '" + value + "' is not a number of traces from 1 to " + MAX_LIMIT);
        }
        return limit;
    }

    private List<Record> trace(String givenId) {
        String traceId = traceId(givenId);
        List<Record> spans = queries.trace(traceId);
        if (spans.isEmpty()) {
            throw new Refused(
                    404, "trace " + traceId + " is not in trace_index: it was not kept, or is past retention");
        }
        if (spans.size() > settings.maxSpans()) {
            throw new Refused(
                    413,
                    "trace " + traceId + " has " + spans.size() + " spans, over the " + settings.maxSpans()
                            + " an answer holds (--serve.max-spans); query it with SQL");
        }
        return spans;
    }

    /** A trace id as the tables keep it: 32 lowercase hex characters, a 64-bit id padded with zeros. */
    static String traceId(String given) {
        if (!TRACE_ID.matcher(given).matches() || given.chars().allMatch(c -> c == '0')) {
            throw new Refused(400, "'" + given + "' is not a trace id: give 16 or 32 hex characters, not all zeros");
        }
        return "0".repeat(32 - given.length()) + given.toLowerCase(Locale.ROOT);
    }

    private static String required(Fields params, String name) {
        String value = params.getValue(name);
        if (value == null || value.isBlank()) {
            throw new Refused(400, "the parameter " + name + " is required");
        }
        return value;
    }

    private static String spanKind(Fields params) {
        String kind = params.getValue("spanKind");
        if (kind == null || kind.isEmpty()) {
            return "";
        }
        String lower = kind.toLowerCase(Locale.ROOT);
        List<String> kinds = List.of("server", "client", "internal", "producer", "consumer", "unspecified");
        if (!kinds.contains(lower)) {
            throw new Refused(400, "spanKind '" + kind + "' is not one of " + String.join(", ", kinds));
        }
        return lower;
    }

    /**
     * A refusal or failure in the form of the endpoint's API: v3 answers a {@code google.rpc.Status}
     * with the gRPC code of the HTTP status, the classic API its envelope with one error.
     */
    private static Answer failure(boolean v3, int status, String message) {
        if (!v3) {
            return new Answer(status, JaegerJson.error(status, message));
        }
        int code =
                switch (status) {
                    case 400 -> 3; // INVALID_ARGUMENT
                    case 404 -> 5; // NOT_FOUND
                    case 413 -> 8; // RESOURCE_EXHAUSTED
                    case 504 -> 4; // DEADLINE_EXCEEDED
                    case 503 -> 14; // UNAVAILABLE
                    case 405 -> 12; // UNIMPLEMENTED
                    default -> 13; // INTERNAL
                };
        ObjectNode body = NODES.objectNode();
        body.put("code", code);
        body.put("message", message);
        return new Answer(status, body);
    }
}

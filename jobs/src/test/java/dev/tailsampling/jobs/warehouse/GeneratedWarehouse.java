package dev.tailsampling.jobs.warehouse;

import com.google.protobuf.ByteString;
import dev.tailsampling.iceberg.AttributeIndexTable;
import dev.tailsampling.iceberg.IcebergCatalogConf;
import dev.tailsampling.iceberg.ServiceEdgesTable;
import dev.tailsampling.iceberg.ServiceMetricsTable;
import dev.tailsampling.iceberg.SpansTable;
import dev.tailsampling.iceberg.TableWrites;
import dev.tailsampling.iceberg.TraceIndexTable;
import dev.tailsampling.iceberg.TraceSummariesTable;
import dev.tailsampling.sampling.ConsistentProbability;
import dev.tailsampling.sampling.DecisionTrigger;
import dev.tailsampling.sampling.Span;
import dev.tailsampling.sampling.metrics.EdgeCalls;
import dev.tailsampling.sampling.metrics.EdgeMinute;
import dev.tailsampling.sampling.metrics.OperationMinute;
import dev.tailsampling.sampling.metrics.OperationSample;
import dev.tailsampling.sampling.summary.AttributeLocation;
import dev.tailsampling.sampling.summary.KeptTrace;
import dev.tailsampling.sampling.summary.TraceLocation;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Status;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.apache.iceberg.Table;

/**
 * A warehouse as the job would leave it, generated without Kafka or Flink: traces of a shop of
 * {@code services} services over {@code hours} hours, the kept ones written with the job's own row
 * mappers and Iceberg's Flink writer, several commits an hour as checkpoints would make them, and
 * the service metrics of every trace, kept or not. Errors and slow traces are kept whole; the rest
 * at {@code representativeRate} by the trace-id threshold, so weights are as the job writes them.
 */
public final class GeneratedWarehouse {
    private static final long MS = 1_000_000L;
    private static final String[] SERVICE_NAMES = {
        "frontend", "checkout", "cart", "payment", "inventory", "shipping", "catalog", "search", "ads", "auth",
        "users", "reviews", "pricing", "tax", "email", "fraud", "loyalty", "currency", "recommend", "warehouse"
    };
    private static final String[] TIERS = {"free", "standard", "premium"};
    private static final String[] FLAGS = {"new_checkout", "old_checkout"};
    /** The attributes indexed, as the job run with {@code --index.attributes user.id} indexes them. */
    public static final Set<String> INDEXED_ATTRIBUTES = Set.of("user.id");

    /** A kept trace's root span, what analysts filter and weigh traces by. */
    public record Root(
            String traceId, String service, long startMillis, long durationNs, double adjustedCount, String userId) {
        static Root of(Span span) {
            return new Root(
                    span.traceId,
                    span.serviceName,
                    span.startTimeUnixNano / MS,
                    span.durationNs,
                    span.adjustedCount,
                    span.attribute("user.id"));
        }
    }

    /** What to generate. */
    public record Spec(int traces, int hours, int services, int commitsPerHour, double representativeRate, long seed) {}

    /** What was generated: the truth the tables must tell, and the sizes the benchmark reports. */
    public static final class Truth {
        public long tracesSeen;
        public long tracesKept;
        public long spansSeen;
        public long spansKept;
        public long errorTraces;
        public final Map<String, Long> rootTracesSeen = new TreeMap<>();
        public final Map<String, Long> spansSeenByService = new TreeMap<>();
        public final Map<String, Long> errorSpansByService = new TreeMap<>();
        /** Calls between services in every trace, kept or not, by "caller -> callee" service. */
        public final Map<String, Long> callsSeenByEdge = new TreeMap<>();
        /** The variance of the service graph's estimate of those calls, by edge. */
        public final Map<String, Double> edgeEstimateVariance = new TreeMap<>();
        /** The variance of the estimate of all calls. */
        public double callsEstimateVariance;
        /** OTLP protobuf bytes of the kept spans' Span messages. */
        public long otlpSpanBytes;

        public final List<String> keptTraceIds = new ArrayList<>();
        /** Every kept trace by its root (the first span of a fixture). */
        public final List<Root> keptRoots = new ArrayList<>();

        public long endMillis;
    }

    private final Spec spec;
    private final Random random;
    private final long startMillis;
    private final Truth truth = new Truth();
    /** The spans seen since the last commit, gathered as the job's decoder gathers a record's. */
    private final OperationSample.Collector seen = new OperationSample.Collector();

    private final Map<String, OperationMinute> minutes = new HashMap<>();
    private final Map<String, EdgeMinute> edges = new HashMap<>();

    private GeneratedWarehouse(Spec spec, long endMillis) {
        this.spec = spec;
        this.random = new Random(spec.seed());
        long endHour = Math.floorDiv(endMillis, 3_600_000L) * 3_600_000L;
        this.startMillis = endHour - spec.hours() * 3_600_000L;
        truth.endMillis = endHour;
    }

    /**
     * Writes the warehouse, ending at the hour before {@code end}, and adds the hand-made {@code
     * fixtures} (traces with an error span, so kept) to the first commit.
     */
    public static Truth write(IcebergCatalogConf catalog, Spec spec, Instant end, List<List<Span>> fixtures) {
        return new GeneratedWarehouse(spec, end.toEpochMilli()).writeAll(catalog, fixtures);
    }

    private Truth writeAll(IcebergCatalogConf catalog, List<List<Span>> fixtures) {
        Table spans = catalog.createTableIfMissing(SpansTable.TABLE);
        Table summaries = catalog.createTableIfMissing(TraceSummariesTable.TABLE);
        Table index = catalog.createTableIfMissing(TraceIndexTable.TABLE);
        Table metrics = catalog.createTableIfMissing(ServiceMetricsTable.TABLE);
        Table attributes = catalog.createTableIfMissing(AttributeIndexTable.TABLE);
        Table graph = catalog.createTableIfMissing(ServiceEdgesTable.TABLE);
        int perCommit = Math.max(1, spec.traces() / (spec.hours() * spec.commitsPerHour()));
        int commits = spec.hours() * spec.commitsPerHour();
        for (int commit = 0; commit < commits; commit++) {
            long from = startMillis + commit * (3_600_000L / spec.commitsPerHour());
            long width = 3_600_000L / spec.commitsPerHour();
            List<List<Span>> kept = new ArrayList<>();
            if (commit == 0) {
                for (List<Span> fixture : fixtures) {
                    if (!keep(fixture)) {
                        throw new IllegalArgumentException("a fixture trace must hold an error span to be kept");
                    }
                    kept.add(fixture);
                }
            }
            for (int i = 0; i < perCommit; i++) {
                List<Span> trace = trace(from + (long) (random.nextDouble() * (width - 60_000)));
                if (keep(trace)) {
                    kept.add(trace);
                }
            }
            writeCommit(spans, summaries, index, attributes, kept);
            for (OperationSample sample : seen.drain()) {
                minutes.computeIfAbsent(sample.key(), k -> OperationMinute.startedBy(sample))
                        .add(sample);
            }
        }
        TableWrites.append(
                metrics,
                ServiceMetricsTable.TABLE,
                ServiceMetricsTable.COLUMNS.rows(),
                new ArrayList<>(minutes.values()));
        TableWrites.append(
                graph, ServiceEdgesTable.TABLE, ServiceEdgesTable.COLUMNS.rows(), new ArrayList<>(edges.values()));
        return truth;
    }

    private void writeCommit(Table spans, Table summaries, Table index, Table attributes, List<List<Span>> kept) {
        List<Span> rows = new ArrayList<>();
        List<KeptTrace> traces = new ArrayList<>();
        List<TraceLocation> locations = new ArrayList<>();
        List<AttributeLocation> values = new ArrayList<>();
        for (List<Span> trace : kept) {
            rows.addAll(trace);
            traces.add(KeptTrace.of(trace));
            locations.addAll(TraceLocation.of(trace));
            values.addAll(AttributeLocation.of(trace, INDEXED_ATTRIBUTES));
            for (EdgeCalls calls : EdgeCalls.of(trace)) {
                edges.computeIfAbsent(calls.key(), k -> EdgeMinute.startedBy(calls))
                        .add(calls);
            }
        }
        TableWrites.append(spans, SpansTable.TABLE, SpansTable.COLUMNS.rows(), rows);
        TableWrites.append(summaries, TraceSummariesTable.TABLE, TraceSummariesTable.COLUMNS.rows(), traces);
        TableWrites.append(index, TraceIndexTable.TABLE, TraceIndexTable.COLUMNS.rows(), locations);
        TableWrites.append(attributes, AttributeIndexTable.TABLE, AttributeIndexTable.COLUMNS.rows(), values);
    }

    /** Counts the trace in the metrics and decides it as the job's built-in policies would. */
    private boolean keep(List<Span> trace) {
        truth.tracesSeen++;
        truth.spansSeen += trace.size();
        Span root = trace.get(0);
        truth.rootTracesSeen.merge(root.serviceName, 1L, Long::sum);
        boolean error = false;
        for (Span span : trace) {
            error |= span.error;
            truth.spansSeenByService.merge(span.serviceName, 1L, Long::sum);
            if (span.error) {
                truth.errorSpansByService.merge(span.serviceName, 1L, Long::sum);
            }
            seen.add(
                    span.serviceName,
                    span.operationName,
                    span.spanKind,
                    span.startTimeUnixNano,
                    span.durationNs,
                    span.error,
                    1.0);
        }
        truth.errorTraces += error ? 1 : 0;
        boolean slow = root.durationNs >= 1_000 * MS;
        String policy = error ? "errors" : slow ? "slow" : "representative";
        double probability = error || slow ? 1.0 : spec.representativeRate();
        // A trace's calls are kept or dropped together: the variance adds up per trace.
        Map<String, Long> calls = new HashMap<>();
        EdgeCalls.of(trace)
                .forEach(edge -> calls.merge(edge.callerService + " -> " + edge.calleeService, edge.calls, Long::sum));
        long traceCalls = calls.values().stream().mapToLong(Long::longValue).sum();
        calls.forEach((edge, count) -> {
            truth.callsSeenByEdge.merge(edge, count, Long::sum);
            truth.edgeEstimateVariance.merge(
                    edge, (double) count * count * (1 - probability) / probability, Double::sum);
        });
        truth.callsEstimateVariance += (double) traceCalls * traceCalls * (1 - probability) / probability;
        if (!error && !slow && !ConsistentProbability.isSampled(root.traceId, probability)) {
            return false;
        }
        for (Span span : trace) {
            span.markKept(policy, probability, DecisionTrigger.INACTIVITY, false);
            if (truth.spansKept % 97 == 0) {
                truth.otlpSpanBytes += otlpBytes(span) * 97L;
            }
            truth.spansKept++;
        }
        truth.tracesKept++;
        truth.keptTraceIds.add(root.traceId);
        truth.keptRoots.add(Root.of(root));
        return true;
    }

    /** One trace: a root request in one service calling others, each maybe calling a database. */
    private List<Span> trace(long startMillis) {
        String traceId = HexFormat.of().formatHex(longs(random.nextLong(), random.nextLong()));
        // One user a request, on every span, as baggage would carry it.
        String user = Integer.toString(random.nextInt(100_000));
        List<Span> spans = new ArrayList<>();
        String rootService = SERVICE_NAMES[(int) Math.min(spec.services() - 1, Math.abs(random.nextGaussian()) * 3)];
        long duration = (long) (Math.exp(random.nextGaussian() * 0.8 + 4.5) * MS); // median 90 ms
        Span root = span(
                traceId,
                "",
                rootService,
                "GET /" + rootService + "/" + random.nextInt(3),
                "SERVER",
                startMillis * MS,
                duration);
        spans.add(root);
        int calls = 3 + random.nextInt(5);
        long cursor = root.startTimeUnixNano + duration / 20;
        long slice = duration * 9 / 10 / calls;
        for (int i = 0; i < calls; i++) {
            String service = SERVICE_NAMES[random.nextInt(spec.services())];
            Span call = span(
                    traceId,
                    root.spanId,
                    service,
                    "call " + service + "/" + random.nextInt(3),
                    "SERVER",
                    cursor,
                    slice * 9 / 10);
            spans.add(call);
            if (random.nextBoolean()) {
                Span db = span(
                        traceId, call.spanId, service, "SELECT " + service, "CLIENT", cursor + slice / 10, slice / 2);
                db.dbSystem = "postgresql";
                db.dbStatement = "SELECT * FROM " + service + " WHERE id = ?";
                db.attributes.put("db.system", db.dbSystem);
                db.attributes.put("db.query.text", db.dbStatement);
                spans.add(db);
            }
            cursor += slice;
        }
        spans.forEach(span -> span.attributes.put("user.id", user));
        if (random.nextInt(50) == 0) {
            Span failed = spans.get(1 + random.nextInt(spans.size() - 1));
            failed.error = true;
            failed.statusCode = "ERROR";
            failed.statusMessage = "upstream timeout";
            failed.httpStatusCode = 503;
        }
        return spans;
    }

    private Span span(
            String traceId, String parent, String service, String operation, String kind, long start, long duration) {
        Span span = new Span();
        span.traceId = traceId;
        span.spanId = HexFormat.of().formatHex(longs(random.nextLong()));
        span.parentSpanId = parent;
        span.serviceName = service;
        span.operationName = operation;
        span.spanKind = kind;
        span.statusCode = "UNSET";
        span.startTimeUnixNano = start;
        span.endTimeUnixNano = start + duration;
        span.durationNs = duration;
        span.httpMethod = "GET";
        span.httpRoute = operation;
        span.httpStatusCode = 200;
        span.serviceVersion = "1.4." + random.nextInt(3);
        span.deploymentEnvironment = "production";
        span.hostName = service + "-" + random.nextInt(4);
        span.scopeName = "io.opentelemetry.http";
        span.resourceAttributes.put("service.name", service);
        span.resourceAttributes.put("host.name", span.hostName);
        span.attributes.put("http.request.method", "GET");
        span.attributes.put("http.route", operation);
        span.attributes.put("http.response.status_code", "200");
        span.attributes.put("user.tier", TIERS[random.nextInt(TIERS.length)]);
        span.attributes.put("feature.flag", FLAGS[random.nextInt(FLAGS.length)]);
        return span;
    }

    /** The span as an OTLP protobuf Span message, with the attributes the span carries. */
    private static int otlpBytes(Span span) {
        io.opentelemetry.proto.trace.v1.Span.Builder proto = io.opentelemetry.proto.trace.v1.Span.newBuilder()
                .setTraceId(ByteString.copyFrom(HexFormat.of().parseHex(span.traceId)))
                .setSpanId(ByteString.copyFrom(HexFormat.of().parseHex(span.spanId)))
                .setName(span.operationName)
                .setKindValue(span.spanKind.equals("SERVER") ? 2 : 3)
                .setStartTimeUnixNano(span.startTimeUnixNano)
                .setEndTimeUnixNano(span.endTimeUnixNano)
                .setStatus(Status.newBuilder().setCodeValue(span.error ? 2 : 0).setMessage(span.statusMessage));
        if (!span.parentSpanId.isEmpty()) {
            proto.setParentSpanId(ByteString.copyFrom(HexFormat.of().parseHex(span.parentSpanId)));
        }
        span.attributes.forEach((k, v) -> proto.addAttributes(
                KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v))));
        return proto.build().getSerializedSize();
    }

    private static byte[] longs(long... values) {
        byte[] out = new byte[values.length * 8];
        for (int i = 0; i < values.length; i++) {
            for (int b = 0; b < 8; b++) {
                out[i * 8 + b] = (byte) (values[i] >>> (56 - 8 * b));
            }
        }
        return out;
    }
}

package dev.tailsampling.jobs;

import static dev.tailsampling.jobs.JobTestSupport.committedRows;
import static dev.tailsampling.jobs.JobTestSupport.header;
import static dev.tailsampling.jobs.JobTestSupport.records;
import static dev.tailsampling.jobs.JobTestSupport.start;
import static dev.tailsampling.operators.otlp.OtlpTestData.MILLIS;
import static dev.tailsampling.operators.otlp.OtlpTestData.T0;
import static dev.tailsampling.operators.otlp.OtlpTestData.attr;
import static dev.tailsampling.operators.otlp.OtlpTestData.error;
import static dev.tailsampling.operators.otlp.OtlpTestData.request;
import static dev.tailsampling.operators.otlp.OtlpTestData.resourceSpans;
import static dev.tailsampling.operators.otlp.OtlpTestData.span;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import dev.tailsampling.iceberg.WarehouseSql;
import dev.tailsampling.jobs.query.JaegerContract;
import dev.tailsampling.jobs.query.OtlpJson;
import dev.tailsampling.jobs.query.QueryServer;
import dev.tailsampling.jobs.query.TraceQueries;
import dev.tailsampling.jobs.warehouse.EngineRows;
import dev.tailsampling.local.cluster.EmbeddedKafka;
import dev.tailsampling.local.cluster.ProgressReporter;
import dev.tailsampling.operators.otlp.OtlpDecoder;
import dev.tailsampling.sampling.ConsistentProbability;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.iceberg.Table;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole job on the real parts: a Kafka broker in this JVM, a Flink mini cluster with RocksDB
 * and checkpoints at parallelism 2, Iceberg's REST catalog server over a warehouse folder, read back
 * with Flink SQL (and afterwards with Spark, module spark-queries).
 */
class TailSamplingJobITCase {
    private static final double RATE = 0.25;
    private static final int ERROR_TRACES = 6;
    private static final int SLOW_TRACES = 6;
    private static final int PLAIN_TRACES = 40;
    private static final int TRACES = ERROR_TRACES + SLOW_TRACES + PLAIN_TRACES;

    @RegisterExtension
    static final MiniClusterExtension FLINK = JobTestSupport.miniCluster();

    /**
     * Where the job's tables go, through Iceberg's REST catalog server; under target, not a
     * temporary folder: the Spark check (module spark-queries) serves the same folder through the
     * same kind of server and reads what the job wrote, as Trino would, comparing with {@link
     * #ANSWERS}.
     */
    static final Path WAREHOUSE = Paths.get("target", "job-warehouse").toAbsolutePath();

    static final Path ANSWERS = Paths.get("target", "job-answers.json").toAbsolutePath();

    /** Questions whose SQL reads the same in Flink SQL and Spark SQL, asked of the job's tables. */
    private static final List<String> QUESTIONS = List.of(
            "SELECT sampling_policy, COUNT(*) AS spans, SUM(adjusted_count) AS estimated FROM spans"
                    + " GROUP BY sampling_policy",
            "SELECT root_service_name, COUNT(*) AS traces, SUM(error_count) AS errors FROM trace_summaries"
                    + " GROUP BY root_service_name",
            "SELECT caller_service, callee_service, SUM(kept_calls) AS kept, SUM(estimated_calls) AS calls"
                    + " FROM service_edges GROUP BY caller_service, callee_service",
            "SELECT attribute_value, COUNT(DISTINCT trace_id) AS traces FROM attribute_index"
                    + " WHERE attribute_key = 'user.id' GROUP BY attribute_value");

    private static EmbeddedKafka kafka;
    private static RestCatalogServer catalog;

    @BeforeAll
    static void startKafkaAndTheCatalog() throws Exception {
        if (Files.exists(WAREHOUSE)) {
            try (Stream<Path> files = Files.walk(WAREHOUSE)) {
                files.sorted(Comparator.reverseOrder())
                        .forEach(path -> path.toFile().delete());
            }
        }
        Files.deleteIfExists(ANSWERS);
        catalog = new RestCatalogServer(WAREHOUSE);
        catalog.start();
        kafka = EmbeddedKafka.start();
        kafka.createTopic("otlp_spans", 2, Map.of());
        kafka.createTopic("otlp_spans_dlq", 1, Map.of());
        kafka.createTopic("sampling_stats", 1, Map.of());
    }

    @AfterAll
    static void stopKafkaAndTheCatalog() throws Exception {
        kafka.close();
        catalog.close();
    }

    /** One fixture trace: root in frontend, checkout below it, payment and a database call below that. */
    private static final class Trace {
        final String traceId;
        final boolean failed;
        final boolean slow;
        final List<String> spanIds = new ArrayList<>();
        /** The user.id attribute of its root span, indexed by the job. */
        final String user;

        Trace(Random random, boolean failed, boolean slow) {
            this.traceId = String.format("%016x%016x", random.nextLong(), random.nextLong());
            this.failed = failed;
            this.slow = slow;
            for (int i = 0; i < 4; i++) {
                spanIds.add(String.format("%016x", random.nextLong() | 1));
            }
            this.user = "user-" + random.nextInt(5);
        }

        /** The representative sample keeps a plain trace when its id clears the rate's threshold. */
        boolean expectedKept() {
            return failed || slow || ConsistentProbability.isSampled(traceId, RATE);
        }

        String expectedPolicy() {
            return failed ? "errors" : slow ? "slow" : "representative";
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void keepsErrorSlowAndRepresentativeTracesWholeAndDeadLettersBadInput() throws Exception {
        Random random = new Random(42);
        List<Trace> traces = new ArrayList<>();
        for (int i = 0; i < TRACES; i++) {
            traces.add(new Trace(random, i < ERROR_TRACES, i >= ERROR_TRACES && i < ERROR_TRACES + SLOW_TRACES));
        }
        publish(traces);

        TailSamplingConf conf = TailSamplingConf.fromMap(Map.of(
                "kafka.bootstrap-servers", kafka.bootstrapServers(),
                "iceberg.catalog-type", "rest",
                "iceberg.catalog.uri", catalog.uri(),
                "sampling.decision-wait", "2s",
                "sampling.latency-threshold", "1s",
                "sampling.representative-rate", Double.toString(RATE),
                "metrics.delay", "1s",
                "checkpoint.interval", "500ms",
                "index.attributes", "user.id",
                // The fixtures' spans ran on a fixed day, however long ago that is now.
                "decode.max-span-age", "36500d"));
        JobClient job = start(conf, 2, flink -> {});

        Table spans = conf.catalog.loadTable("spans");
        waitUntilAllDecidedAndCommitted(spans);
        waitUntilCommitted(conf.catalog.loadTable("trace_summaries"), ProgressReporter.total("tracesKept"));
        waitUntilCommitted(conf.catalog.loadTable("trace_index"), 3 * ProgressReporter.total("tracesKept"));
        waitUntilCommitted(conf.catalog.loadTable("attribute_index"), ProgressReporter.total("tracesKept"));
        waitUntil(() -> ProgressReporter.total("metricSpansCounted") == 4L * TRACES, "every span in a metrics row");
        waitUntilCommitted(conf.catalog.loadTable("service_metrics"), ProgressReporter.total("metricRowsWritten"));
        waitUntil(
                () -> ProgressReporter.total("edgeCallsCounted") == 2 * ProgressReporter.total("tracesKept"),
                "every call of every kept trace in a service graph row");
        waitUntilCommitted(conf.catalog.loadTable("service_edges"), ProgressReporter.total("edgeRowsWritten"));
        long keptByMetric = ProgressReporter.total("spansKept");
        job.cancel().get(1, TimeUnit.MINUTES);

        List<Row> rows = WarehouseSql.open(conf.catalog)
                .query("SELECT trace_id, span_id, sampling_policy, sample_probability, adjusted_count,"
                        + " service_name, sampling_trigger, trace_incomplete FROM spans");

        Map<String, Trace> byId = traces.stream().collect(Collectors.toMap(t -> t.traceId, t -> t));
        Set<String> expectedSpans = new HashSet<>();
        for (Trace trace : traces) {
            if (trace.expectedKept()) {
                trace.spanIds.forEach(id -> expectedSpans.add(trace.traceId + "/" + id));
            }
        }
        List<String> keptSpans = rows.stream()
                .map(r -> r.getField("trace_id") + "/" + r.getField("span_id"))
                .collect(Collectors.toList());
        assertThat(keptSpans).as("no span twice").doesNotHaveDuplicates();
        assertThat(new HashSet<>(keptSpans)).isEqualTo(expectedSpans);
        assertThat((long) rows.size()).isEqualTo(keptByMetric);
        long representative = traces.stream()
                .filter(t -> !t.failed && !t.slow && t.expectedKept())
                .count();
        assertThat(representative)
                .as("the fixture exercises the representative sample")
                .isBetween(3L, 37L);
        for (Row row : rows) {
            Trace trace = byId.get((String) row.getField("trace_id"));
            assertThat(row.getField("sampling_policy")).isEqualTo(trace.expectedPolicy());
            double probability = trace.failed || trace.slow ? 1.0 : RATE;
            assertThat((Double) row.getField("sample_probability")).isEqualTo(probability);
            assertThat((Double) row.getField("adjusted_count")).isEqualTo(1.0 / probability);
            assertThat(row.getField("sampling_trigger")).isEqualTo("inactivity");
            assertThat(row.getField("trace_incomplete")).isEqualTo(false);
        }
        assertThat(rows.stream().map(r -> (String) r.getField("service_name")).distinct())
                .containsExactlyInAnyOrder("frontend", "checkout", "payment");

        assertAnalystTables(conf, traces);
        assertQueryApi(conf, traces);
        writeAnswersForSpark(conf);

        Map<String, String> deadLetters = new HashMap<>();
        records(kafka.bootstrapServers(), "otlp_spans_dlq", 2).forEach(letter -> {
            deadLetters.put(header(letter, "reason"), header(letter, "detail"));
            assertThat(header(letter, "source_topic")).isEqualTo("otlp_spans");
        });
        assertThat(deadLetters).containsOnlyKeys(OtlpDecoder.UNPARSEABLE_RECORD, OtlpDecoder.INVALID_SPAN_ID);
        assertThat(deadLetters.get(OtlpDecoder.INVALID_SPAN_ID)).contains("all zeros");
    }

    /**
     * Jaeger's query API over the job's tables: every kept trace whole with its decision, a dropped
     * one not found, the services and their operations, the service graph, and a search for the
     * slow requests, each v3 answer valid under Jaeger's published contract.
     */
    private static void assertQueryApi(TailSamplingConf conf, List<Trace> traces) throws Exception {
        // The fixtures ran on a fixed day long ago: the service list looks back far enough to see it.
        TraceQueries queries = new TraceQueries(conf.catalog, Duration.ofDays(36_500), Clock.systemUTC());
        try (QueryServer server =
                QueryServer.start(queries, new QueryServer.Settings("localhost", 0, Duration.ofSeconds(30), 1_000))) {
            for (Trace trace : traces) {
                if (!trace.expectedKept()) {
                    JaegerContract.get(server.uri(), "api/v3/traces/" + trace.traceId, 404);
                    continue;
                }
                JsonNode found = JaegerContract.get(server.uri(), "api/v3/traces/" + trace.traceId, 200);
                assertThat(JaegerContract.errors(found, "opentelemetry.proto.trace.v1.TracesData"))
                        .isEmpty();
                List<String> spanIds = found.findValues("spanId").stream()
                        .map(JsonNode::asText)
                        .sorted()
                        .toList();
                assertThat(spanIds).isEqualTo(trace.spanIds.stream().sorted().toList());
                String adjustedCount = found.findValues("attributes").stream()
                        .flatMap(list -> StreamSupport.stream(list.spliterator(), false))
                        .filter(kv -> kv.path("key").asText().equals(OtlpJson.ADJUSTED_COUNT))
                        .map(kv -> kv.path("value").path("doubleValue").asText())
                        .findFirst()
                        .orElseThrow();
                assertThat(Double.parseDouble(adjustedCount)).isEqualTo(trace.failed || trace.slow ? 1.0 : 1 / RATE);
            }
            JsonNode services = JaegerContract.get(server.uri(), "api/v3/services", 200);
            assertThat(JaegerContract.errors(services, "jaeger.api_v3.GetServicesResponse"))
                    .isEmpty();
            assertThat(services.path("services").toString()).isEqualTo("[\"checkout\",\"frontend\",\"payment\"]");
            JsonNode operations = JaegerContract.get(server.uri(), "api/v3/operations?service=payment", 200);
            assertThat(JaegerContract.errors(operations, "jaeger.api_v3.GetOperationsResponse"))
                    .isEmpty();
            assertThat(operations.findValues("name").stream()
                            .map(JsonNode::asText)
                            .sorted())
                    .containsExactly("SELECT accounts", "charge");

            Instant t0 = Instant.ofEpochSecond(0, T0);
            String range = "startTime=" + t0.minus(Duration.ofHours(1)) + "&endTime=" + t0.plus(Duration.ofHours(1));
            JsonNode graph = JaegerContract.get(server.uri(), "api/v3/dependencies?" + range, 200);
            assertThat(JaegerContract.errors(graph, "jaeger.api_v3.DependenciesResponse"))
                    .isEmpty();
            assertThat(graph.path("dependencies").size()).isEqualTo(2);

            JsonNode slow = JaegerContract.get(
                    server.uri(),
                    "api/v3/traces?query.serviceName=frontend&query.durationMin=1s&query.searchDepth=100&"
                            + range.replace("startTime", "query.startTimeMin").replace("endTime", "query.startTimeMax"),
                    200);
            assertThat(JaegerContract.errors(slow, "opentelemetry.proto.trace.v1.TracesData"))
                    .isEmpty();
            assertThat(slow.findValues("traceId").stream().map(JsonNode::asText).collect(Collectors.toSet()))
                    .isEqualTo(traces.stream()
                            .filter(t -> t.slow)
                            .map(t -> t.traceId)
                            .collect(Collectors.toSet()));
        }
    }

    /** Flink SQL's rows for {@link #QUESTIONS}, which the Spark check must get from the same tables. */
    private static void writeAnswersForSpark(TailSamplingConf conf) throws Exception {
        WarehouseSql sql = WarehouseSql.open(conf.catalog);
        Map<String, List<String>> rows = new LinkedHashMap<>();
        for (String question : QUESTIONS) {
            rows.put(
                    question,
                    sql.query(question).stream()
                            .map(row -> EngineRows.cells(row.getArity(), row::getField))
                            .sorted()
                            .toList());
            assertThat(rows.get(question)).as(question).isNotEmpty();
        }
        EngineRows.writeAnswers(
                ANSWERS, Map.of("type", "rest", "warehouse", WAREHOUSE.toUri().toString()), Map.of(), rows);
    }

    /**
     * One summary per kept trace with its known critical path (frontend waits for checkout, which
     * waits for the charge, which waits for the database), index rows naming the three services'
     * hour, and metrics counting every span of every trace, kept or not.
     */
    private static void assertAnalystTables(TailSamplingConf conf, List<Trace> traces) throws Exception {
        WarehouseSql sql = WarehouseSql.open(conf.catalog);
        Map<String, Trace> byId = traces.stream().collect(Collectors.toMap(t -> t.traceId, t -> t));
        List<Row> summaries =
                sql.query("SELECT trace_id, root_service_name, root_operation_name, span_count, error_count,"
                        + " services, critical_path, duration_ns, sampling_policy, adjusted_count"
                        + " FROM trace_summaries");
        Set<String> keptTraces =
                traces.stream().filter(Trace::expectedKept).map(t -> t.traceId).collect(Collectors.toSet());
        assertThat(summaries.stream().map(r -> (String) r.getField("trace_id")))
                .containsExactlyInAnyOrderElementsOf(keptTraces);
        for (Row summary : summaries) {
            Trace trace = byId.get((String) summary.getField("trace_id"));
            long length = trace.slow ? 1_500 : 120;
            assertThat(summary.getField("root_service_name")).isEqualTo("frontend");
            assertThat(summary.getField("root_operation_name")).isEqualTo("GET /checkout");
            assertThat(summary.getField("span_count")).isEqualTo(4);
            assertThat(summary.getField("error_count")).isEqualTo(trace.failed ? 1 : 0);
            assertThat((String[]) summary.getField("services")).containsExactly("checkout", "frontend", "payment");
            Row[] path = (Row[]) summary.getField("critical_path");
            assertThat(path)
                    .extracting(step -> step.getField("service_name") + " " + step.getField("operation_name"))
                    .containsExactly(
                            "frontend GET /checkout",
                            "checkout placeOrder",
                            "payment charge",
                            "payment SELECT accounts");
            assertThat(path)
                    .extracting(step -> (Long) step.getField("self_time_us"))
                    .containsExactly(10_000L, (length - 10 - 50) * 1_000, 40_000L, 10_000L);
            assertThat(summary.getField("duration_ns")).isEqualTo(length * MILLIS);
            assertThat(summary.getField("sampling_policy")).isEqualTo(trace.expectedPolicy());
        }

        String hour = DateTimeFormatter.ofPattern("yyyy-MM-dd-HH")
                .withZone(ZoneOffset.UTC)
                .format(Instant.ofEpochMilli(T0 / MILLIS));
        assertThat(JobTestSupport.partitionsWrittenOncePerCommit(conf.catalog.loadTable("spans")))
                .containsExactlyInAnyOrder(
                        "start_time_hour=" + hour + "/service_name=frontend",
                        "start_time_hour=" + hour + "/service_name=checkout",
                        "start_time_hour=" + hour + "/service_name=payment");
        assertThat(JobTestSupport.partitionsWrittenOncePerCommit(conf.catalog.loadTable("trace_summaries")))
                .containsExactly("start_time_hour=" + hour + "/root_service_name=frontend");
        assertThat(JobTestSupport.partitionsWrittenOncePerCommit(conf.catalog.loadTable("service_metrics")))
                .hasSize(3)
                .allSatisfy(partition -> assertThat(partition).contains("/service_name="));

        List<Row> index = sql.query("SELECT trace_id, service_name, span_hour, span_count FROM trace_index");
        assertThat(index).hasSize(3 * keptTraces.size());
        assertThat(index.stream().map(r -> (String) r.getField("trace_id")).collect(Collectors.toSet()))
                .isEqualTo(keptTraces);
        for (Row row : index) {
            assertThat(((Instant) row.getField("span_hour")).toEpochMilli())
                    .isEqualTo(Math.floorDiv(T0 / MILLIS, 3_600_000L) * 3_600_000L);
            assertThat(row.getField("span_count"))
                    .isEqualTo(row.getField("service_name").equals("payment") ? 2 : 1);
        }

        // One row per kept trace: only the root span carries user.id.
        List<Row> attributes =
                sql.query("SELECT attribute_key, attribute_value, trace_id, service_name FROM attribute_index");
        assertThat(attributes)
                .extracting(r -> r.getField("attribute_key") + " " + r.getField("attribute_value") + " "
                        + r.getField("trace_id") + " " + r.getField("service_name"))
                .containsExactlyInAnyOrderElementsOf(traces.stream()
                        .filter(Trace::expectedKept)
                        .map(t -> "user.id " + t.user + " " + t.traceId + " frontend")
                        .toList());

        // Two calls between services a trace, each standing for its trace's adjusted count.
        double estimated = traces.stream()
                .filter(Trace::expectedKept)
                .mapToDouble(t -> t.failed || t.slow ? 1.0 : 1.0 / RATE)
                .sum();
        List<Row> edges = sql.query("SELECT caller_service, caller_operation, callee_service, callee_operation,"
                + " SUM(kept_calls) AS kept, SUM(estimated_calls) AS calls, SUM(estimated_errors) AS errors"
                + " FROM service_edges GROUP BY caller_service, caller_operation, callee_service, callee_operation");
        assertThat(edges)
                .extracting(r -> r.getField("caller_service") + " " + r.getField("caller_operation") + " -> "
                        + r.getField("callee_service") + " " + r.getField("callee_operation") + ": "
                        + r.getField("kept"))
                .containsExactlyInAnyOrder(
                        "frontend GET /checkout -> checkout placeOrder: " + keptTraces.size(),
                        "checkout placeOrder -> payment charge: " + keptTraces.size());
        assertThat(edges)
                .allSatisfy(r -> assertThat((Double) r.getField("calls")).isCloseTo(estimated, within(1e-6)));
        assertThat(edges).extracting(r -> (Double) r.getField("errors")).containsExactlyInAnyOrder(0.0, (double)
                ERROR_TRACES);

        List<Row> metrics = sql.query("SELECT service_name, operation_name, SUM(request_count) AS requests,"
                + " SUM(error_count) AS errors, SUM(estimated_request_count) AS estimated_requests,"
                + " SUM(estimated_error_count) AS estimated_errors"
                + " FROM service_metrics GROUP BY service_name, operation_name");
        Map<String, long[]> counts = new HashMap<>();
        metrics.forEach(r -> counts.put(
                r.getField("service_name") + " " + r.getField("operation_name"),
                new long[] {(Long) r.getField("requests"), (Long) r.getField("errors")}));
        // No head sampler in front: every span stands for itself.
        assertThat(metrics).allSatisfy(r -> {
            assertThat((Double) r.getField("estimated_requests"))
                    .isEqualTo(((Long) r.getField("requests")).doubleValue());
            assertThat((Double) r.getField("estimated_errors")).isEqualTo(((Long) r.getField("errors")).doubleValue());
        });
        assertThat(counts)
                .containsOnlyKeys(
                        "frontend GET /checkout", "checkout placeOrder", "payment charge", "payment SELECT accounts");
        counts.forEach((key, count) -> assertThat(count[0]).as(key).isEqualTo(TRACES));
        assertThat(counts.get("payment charge")[1]).isEqualTo(ERROR_TRACES);
        assertThat(counts.get("frontend GET /checkout")[1]).isZero();
    }

    /**
     * Spans of a trace come in two requests on two partitions, several traces a request, as a
     * collector batching per service would send them; then one record that is not OTLP at all and
     * one span with a zero id inside an otherwise valid request.
     */
    private static void publish(List<Trace> traces) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(kafka.clientProperties(), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int from = 0; from < traces.size(); from += 5) {
                List<Trace> batch = traces.subList(from, Math.min(from + 5, traces.size()));
                var front = new ArrayList<io.opentelemetry.proto.trace.v1.Span.Builder>();
                var checkout = new ArrayList<io.opentelemetry.proto.trace.v1.Span.Builder>();
                var payment = new ArrayList<io.opentelemetry.proto.trace.v1.Span.Builder>();
                for (Trace t : batch) {
                    long length = t.slow ? 1_500 : 120;
                    List<String> ids = t.spanIds;
                    front.add(span(t.traceId, ids.get(0), "", "GET /checkout", 0, length)
                            .addAttributes(attr("user.id", t.user)));
                    checkout.add(span(t.traceId, ids.get(1), ids.get(0), "placeOrder", 5, length - 10));
                    var charge = span(t.traceId, ids.get(2), ids.get(1), "charge", 10, 50);
                    payment.add(t.failed ? error(charge) : charge);
                    payment.add(span(t.traceId, ids.get(3), ids.get(2), "SELECT accounts", 20, 10));
                }
                if (from == 0) {
                    payment.add(span(batch.get(0).traceId, "00000000000000ff", "", "broken", 0, 1)
                            .setSpanId(ByteString.copyFrom(new byte[8])));
                }
                send(
                        producer,
                        0,
                        request(
                                        resourceSpans(
                                                "frontend",
                                                front.toArray(new io.opentelemetry.proto.trace.v1.Span.Builder[0])),
                                        resourceSpans(
                                                "checkout",
                                                checkout.toArray(new io.opentelemetry.proto.trace.v1.Span.Builder[0])))
                                .toByteArray());
                send(
                        producer,
                        1,
                        request(resourceSpans(
                                        "payment",
                                        payment.toArray(new io.opentelemetry.proto.trace.v1.Span.Builder[0])))
                                .toByteArray());
            }
            send(producer, 0, "this is not protobuf".getBytes(StandardCharsets.UTF_8));
            producer.flush();
        }
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, int partition, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>("otlp_spans", partition, null, value))
                .get();
    }

    /** Waits until every trace is decided and the table holds every span the sampler kept. */
    private static void waitUntilAllDecidedAndCommitted(Table spans) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            if (ProgressReporter.total("tracesDecided") == TRACES
                    && committedRows(spans) == ProgressReporter.total("spansKept")) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("timed out: decided " + ProgressReporter.total("tracesDecided") + " of " + TRACES);
    }

    private static void waitUntilCommitted(Table table, long records) throws InterruptedException {
        waitUntil(() -> committedRows(table) == records, records + " rows in " + table.name());
    }

    private static void waitUntil(java.util.function.BooleanSupplier done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(200);
        }
    }
}

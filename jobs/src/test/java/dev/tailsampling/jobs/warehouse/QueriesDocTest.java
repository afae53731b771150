package dev.tailsampling.jobs.warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tailsampling.iceberg.IcebergCatalogConf;
import dev.tailsampling.iceberg.WarehouseSql;
import dev.tailsampling.jobs.TablesCommand;
import dev.tailsampling.jobs.TraceCommand;
import dev.tailsampling.sampling.Span;
import dev.tailsampling.sampling.summary.KeptTrace;
import dev.tailsampling.sampling.summary.PathStep;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.types.Row;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs every Flink SQL query of docs/queries.md on a generated warehouse and checks its answer
 * against what the generator knows: the population before sampling, the kept traces, and two
 * hand-made traces with known critical paths (overlapping children; a missing root).
 */
class QueriesDocTest {
    static final String EXAMPLE_TRACE = "0af7651916cd43dd8448eb211c80319c";
    static final String ROOTLESS_TRACE = "5b8efff798038103d269b633813fc60c";
    private static final long MS = 1_000_000L;
    private static final DateTimeFormatter SQL_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
    /** The hours the doc's queries are written for, replaced by the fixture's. */
    private static final Pattern DOC_HOUR = Pattern.compile("2026-11-24 (10|11):00:00");

    /**
     * Under target, not a temporary folder: the Spark check (module spark-queries) reads this
     * warehouse and the answers Flink SQL gave on it, {@link #ANSWERS}, after this test.
     */
    static final Path WAREHOUSE = Paths.get("target", "queries-warehouse").toAbsolutePath();

    static final Path ANSWERS = Paths.get("target", "queries-answers.json").toAbsolutePath();

    private static IcebergCatalogConf catalog;
    private static GeneratedWarehouse.Truth truth;
    private static long fixtureHourMillis;
    private static Map<String, String> queries;
    /** The doc's DuckDB queries where DuckDB's dialect differs, by the name of the question. */
    private static Map<String, String> duckDbQueries;
    /** A user with several kept traces, for the attribute queries. */
    private static String user;

    @BeforeAll
    static void generate() throws Exception {
        if (Files.exists(WAREHOUSE)) {
            try (Stream<Path> files = Files.walk(WAREHOUSE)) {
                files.sorted(Comparator.reverseOrder())
                        .forEach(path -> path.toFile().delete());
            }
        }
        Files.deleteIfExists(ANSWERS);
        catalog = IcebergCatalogConf.localWarehouse(WAREHOUSE.toUri().toString());
        Instant end = Instant.now().plusSeconds(3600);
        long firstHour = Math.floorDiv(end.toEpochMilli(), 3_600_000L) * 3_600_000L - 3 * 3_600_000L;
        fixtureHourMillis = firstHour;
        truth = GeneratedWarehouse.write(
                catalog,
                new GeneratedWarehouse.Spec(6_000, 3, 20, 4, 0.2, 11),
                end,
                List.of(overlapping(firstHour + 300_000), rootless(firstHour + 310_000)));
        queries = queries(Paths.get("..", "docs", "queries.md"), "");
        duckDbQueries = queries(Paths.get("..", "docs", "queries.md"), " (duckdb)");
        user = tracesByUser().entrySet().stream()
                .max(Map.Entry.comparingByValue(Comparator.comparingInt(Set::size)))
                .orElseThrow()
                .getKey();
    }

    private static Map<String, Set<String>> tracesByUser() {
        return truth.keptRoots.stream()
                .filter(root -> root.userId() != null)
                .collect(Collectors.groupingBy(
                        GeneratedWarehouse.Root::userId,
                        Collectors.mapping(GeneratedWarehouse.Root::traceId, Collectors.toSet())));
    }

    /** frontend [0, 100] ms calls search [0, 80] and ads [50, 100] in parallel; ads fails. */
    static List<Span> overlapping(long startMillis) {
        Span ads = span(EXAMPLE_TRACE, "00000000000000a3", "00000000000000a1", "ads", "pick", startMillis, 50, 100);
        ads.error = true;
        ads.statusCode = "ERROR";
        return List.of(
                span(EXAMPLE_TRACE, "00000000000000a1", "", "frontend", "GET /", startMillis, 0, 100),
                span(EXAMPLE_TRACE, "00000000000000a2", "00000000000000a1", "search", "query", startMillis, 0, 80),
                ads);
    }

    /** The root never came: cart [10, 40] and inventory [30, 90] with db [40, 70] below it. */
    static List<Span> rootless(long startMillis) {
        Span db = span(ROOTLESS_TRACE, "00000000000000b3", "00000000000000b2", "db", "update", startMillis, 40, 70);
        db.error = true;
        db.statusCode = "ERROR";
        return List.of(
                span(ROOTLESS_TRACE, "00000000000000b1", "00000000000000b0", "cart", "load", startMillis, 10, 40),
                span(
                        ROOTLESS_TRACE,
                        "00000000000000b2",
                        "00000000000000b0",
                        "inventory",
                        "reserve",
                        startMillis,
                        30,
                        90),
                db);
    }

    private static Span span(
            String trace,
            String id,
            String parent,
            String service,
            String operation,
            long baseMillis,
            long fromMs,
            long toMs) {
        Span span = new Span();
        span.traceId = trace;
        span.spanId = id;
        span.parentSpanId = parent;
        span.serviceName = service;
        span.operationName = operation;
        span.spanKind = "SERVER";
        span.statusCode = "UNSET";
        span.startTimeUnixNano = (baseMillis + fromMs) * MS;
        span.endTimeUnixNano = (baseMillis + toMs) * MS;
        span.durationNs = span.endTimeUnixNano - span.startTimeUnixNano;
        return span;
    }

    /**
     * The doc's queries by name: fenced blocks that start with {@code -- query: name}, followed by
     * {@code dialect} for another engine's (" (duckdb)"), by nothing for Flink SQL's.
     */
    static Map<String, String> queries(Path doc, String dialect) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher block = Pattern.compile(
                        "```sql\\n-- query: ([a-z-]+)" + Pattern.quote(dialect) + "\\n(.*?)```", Pattern.DOTALL)
                .matcher(Files.readString(doc));
        while (block.find()) {
            out.put(block.group(1), block.group(2).trim());
        }
        return out;
    }

    private static List<Row> run(String name) throws Exception {
        return WarehouseSql.open(catalog).query(forFixture(queries.get(name)));
    }

    /** The doc's query on the fixture: its hours and its user. */
    private static String forFixture(String sql) {
        // One pass: replacing the two hours one after the other would move both to the second
        // when the fixture's hour is the doc's second hour.
        return DOC_HOUR.matcher(sql)
                .replaceAll(hour -> SQL_TIME.format(
                        Instant.ofEpochMilli(fixtureHourMillis + (hour.group(1).equals("10") ? 0 : 3_600_000L))))
                .replace("'4711'", "'" + user + "'");
    }

    @Test
    void theDocHasEveryQueryThisTestChecks() {
        assertThat(queries)
                .containsOnlyKeys(
                        "trace-locations",
                        "trace-spans",
                        "critical-path",
                        "slow-requests",
                        "slow-spans",
                        "attribute-filter",
                        "attribute-traces",
                        "error-rates",
                        "latency-percentiles",
                        "service-graph",
                        "estimated-traces");
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aTraceById() throws Exception {
        List<Row> locations = run("trace-locations");
        assertThat(locations).extracting(r -> r.getField(1)).containsExactlyInAnyOrder("frontend", "search", "ads");
        assertThat(locations).allSatisfy(r -> assertThat(((Instant) r.getField(0)).toEpochMilli())
                .isEqualTo(fixtureHourMillis));

        List<Row> spans = run("trace-spans");
        assertThat(spans)
                .extracting(r -> r.getField(0))
                .containsExactly("00000000000000a1", "00000000000000a2", "00000000000000a3");
        assertThat(spans).extracting(r -> r.getField(7)).containsOnly("errors");
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void theTraceCommandPrintsAWaterfallFromTheIndexedPartitionsOnly() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = TraceCommand.run(
                new String[] {EXAMPLE_TRACE, "--iceberg.warehouse", warehouse()},
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
        Expression byId = Expressions.equal("trace_id", EXAMPLE_TRACE);
        int traceFiles = spanFiles(Expressions.and(byId, Expressions.in("service_name", "frontend", "search", "ads")));
        assertThat(traceFiles)
                .as("the trace's three partitions hold fewer of its candidate files than the hour")
                .isLessThan(spanFiles(byId));
        assertThat(printed)
                .contains("trace " + EXAMPLE_TRACE)
                .contains("100.0 ms  3 spans")
                // The files of the hour's commits to the trace's services, uncompacted; none other.
                .contains("read " + files("trace_index", byId) + " index and " + traceFiles + " span files")
                .contains("kept by errors, probability 1.0")
                .contains("root frontend GET /, 1 errors, critical path of 3 spans");
        List<String> lines = printed.lines().filter(line -> line.contains("|")).toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).startsWith("frontend GET /").contains("|" + "#".repeat(40) + " |");
        assertThat(lines.get(1)).startsWith("  search query").contains("80.0 ms");
        assertThat(lines.get(2)).startsWith("  ads pick").contains("50.0 ms").endsWith("ERROR");

        int unknown = TraceCommand.run(
                new String[] {"ffffffffffffffffffffffffffffffff", "--iceberg.warehouse", warehouse()},
                new PrintStream(out),
                new PrintStream(err));
        assertThat(unknown).isEqualTo(1);
        assertThat(TraceCommand.run(new String[] {"not-an-id"}, new PrintStream(out), new PrintStream(err)))
                .isEqualTo(2);
    }

    /** Data files of {@code spans} in the fixture's first hour that {@code filter} may match. */
    private static int spanFiles(Expression filter) throws Exception {
        return files(
                "spans",
                Expressions.and(
                        filter,
                        Expressions.greaterThanOrEqual("start_time", fixtureHourMillis * 1000),
                        Expressions.lessThan("start_time", (fixtureHourMillis + 3_600_000L) * 1000)));
    }

    /** Data files of {@code table} that Iceberg's planning cannot rule out for {@code filter}. */
    private static int files(String table, Expression filter) throws Exception {
        int files = 0;
        try (CloseableIterable<FileScanTask> tasks =
                catalog.loadTable(table).newScan().filter(filter).planFiles()) {
            for (FileScanTask ignored : tasks) {
                files++;
            }
        }
        return files;
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void criticalPathsWithOverlappingChildrenAndAMissingRoot() throws Exception {
        List<Row> path = run("critical-path");
        // ads ends last, so search counts only until ads starts; frontend waits throughout.
        assertThat(path).extracting(r -> r.getField(0)).containsExactly("frontend", "search", "ads");
        assertThat(path).extracting(r -> ((Number) r.getField(3)).longValue()).containsExactly(0L, 50L, 50L);

        List<Row> rootless = WarehouseSql.open(catalog)
                .query("SELECT root_service_name, root_operation_name, duration_ns, trace_incomplete, error_count"
                        + " FROM trace_summaries WHERE trace_id = '" + ROOTLESS_TRACE + "'");
        assertThat(rootless).singleElement().satisfies(r -> {
            assertThat(r.getField(0)).isEqualTo("cart");
            assertThat(r.getField(1)).isEqualTo("load");
            assertThat(r.getField(2)).isEqualTo(80 * MS);
            assertThat(r.getField(4)).isEqualTo(1);
        });
        List<PathStep> expected = KeptTrace.of(rootless(fixtureHourMillis)).criticalPath;
        assertThat(expected).extracting(step -> step.selfTimeNs).containsExactly(20 * MS, 30 * MS, 30 * MS);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void slowRequestsOfAServiceInTheLastHour() throws Exception {
        long before = System.currentTimeMillis();
        List<Row> rows = run("slow-requests");
        long after = System.currentTimeMillis();
        Set<String> found = rows.stream().map(r -> (String) r.getField(0)).collect(Collectors.toSet());
        assertThat(found).isNotEmpty();
        assertThat(found).isSubsetOf(slowCheckoutSince(before - 3_600_000L));
        assertThat(found).containsAll(slowCheckoutSince(after - 3_600_000L));
        assertThat(rows).allSatisfy(r -> assertThat(((Number) r.getField(2)).doubleValue())
                .isGreaterThan(500));

        List<Row> spans = run("slow-spans");
        assertThat(spans).isNotEmpty().allSatisfy(r -> assertThat(((Number) r.getField(2)).doubleValue())
                .isGreaterThan(100));
        assertThat(spans).extracting(r -> (String) r.getField(0)).allMatch(truth.keptTraceIds::contains);
    }

    private static Set<String> slowCheckoutSince(long sinceMillis) {
        return truth.keptRoots.stream()
                .filter(root -> root.service().equals("checkout")
                        && root.startMillis() > sinceMillis
                        && root.durationNs() > 500 * MS)
                .map(GeneratedWarehouse.Root::traceId)
                .collect(Collectors.toSet());
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void attributeFilters() throws Exception {
        List<Row> rows = run("attribute-filter");
        assertThat(rows).isNotEmpty();
        assertThat(rows)
                .extracting(r -> (String) r.getField(0))
                .doesNotHaveDuplicates()
                .allMatch(truth.keptTraceIds::contains);
        long premiumNew = WarehouseSql.open(catalog)
                .query("SELECT COUNT(DISTINCT trace_id) FROM spans WHERE attributes['user.tier'] = 'premium'"
                        + " AND attributes['feature.flag'] = 'new_checkout'")
                .get(0)
                .<Long>getFieldAs(0);
        assertThat((long) rows.size()).isEqualTo(premiumNew);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void theAttributeIndexFindsEveryKeptTraceOfAUser() throws Exception {
        Set<String> expected = tracesByUser().get(user);
        assertThat(expected).hasSizeGreaterThan(1);

        List<Row> rows = run("attribute-traces");
        assertThat(rows).extracting(r -> (String) r.getField(0)).containsExactlyInAnyOrderElementsOf(expected);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = TraceCommand.run(
                new String[] {"--attribute", "user.id=" + user, "--iceberg.warehouse", warehouse()},
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
        List<String> listed = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(listed.get(0)).startsWith(expected.size() + " kept traces with user.id=" + user);
        assertThat(listed.subList(1, listed.size()))
                .extracting(line -> line.substring(0, 32))
                .containsExactlyInAnyOrderElementsOf(expected);

        int unknown = TraceCommand.run(
                new String[] {"--attribute", "user.id=no-such-user", "--iceberg.warehouse", warehouse()},
                new PrintStream(out),
                new PrintStream(err));
        assertThat(unknown).isEqualTo(1);
        assertThat(TraceCommand.run(new String[] {"--attribute", "=x"}, new PrintStream(out), new PrintStream(err)))
                .isEqualTo(2);
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void duckDbAnswersEveryQuestionWithTheRowsFlinkSqlGives() throws Exception {
        Map<String, List<String>> answers = new LinkedHashMap<>();
        assertThat(queries).containsKeys(duckDbQueries.keySet().toArray(String[]::new));
        ByteArrayOutputStream views = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(TablesCommand.run(
                        new String[] {"--duckdb", "--iceberg.warehouse", warehouse()},
                        new PrintStream(views, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8)))
                .as(err.toString(StandardCharsets.UTF_8))
                .isZero();
        // Both engines at one instant, so that "the last hour" is the same hour in each.
        String now = SQL_TIME.format(Instant.now());
        try (Connection duckDb = DriverManager.getConnection("jdbc:duckdb:");
                Statement statement = duckDb.createStatement()) {
            statement.execute("SET TimeZone = 'UTC'");
            for (String view : views.toString(StandardCharsets.UTF_8).lines().toList()) {
                assertThat(view).as("a view per table").startsWith("CREATE OR REPLACE VIEW");
                statement.execute(view);
            }
            for (String name : queries.keySet()) {
                List<String> flink = WarehouseSql.open(catalog)
                        .query(forFixture(queries.get(name))
                                .replace("CURRENT_TIMESTAMP", "CAST('" + now + "' AS TIMESTAMP_LTZ(3))"))
                        .stream()
                        .map(row -> EngineRows.cells(row.getArity(), row::getField))
                        .sorted()
                        .toList();
                List<String> duck = new ArrayList<>();
                try (ResultSet rows =
                        statement.executeQuery(forFixture(duckDbQueries.getOrDefault(name, queries.get(name)))
                                .replace("CURRENT_TIMESTAMP", "TIMESTAMPTZ '" + now + "+00'"))) {
                    int columns = rows.getMetaData().getColumnCount();
                    while (rows.next()) {
                        duck.add(EngineRows.cells(columns, i -> {
                            try {
                                return rows.getObject(i + 1);
                            } catch (SQLException e) {
                                throw new IllegalStateException(e);
                            }
                        }));
                    }
                }
                duck.sort(null);
                assertThat(flink).as(name).isNotEmpty();
                assertThat(duck).as(name).isEqualTo(flink);
                answers.put(name, flink);
            }
        }
        // For the Spark check: the warehouse, what the doc's values became here, and Flink's rows.
        Map<String, String> replaced = new LinkedHashMap<>();
        for (String hour : List.of("10", "11")) {
            String doc = "2026-11-24 " + hour + ":00:00";
            replaced.put(doc, forFixture(doc));
        }
        replaced.put("'4711'", "'" + user + "'");
        replaced.put("CURRENT_TIMESTAMP", "TIMESTAMP '" + now + "'");
        EngineRows.writeAnswers(ANSWERS, Map.of("type", "hadoop", "warehouse", warehouse()), replaced, answers);
    }

    private static String warehouse() {
        return WAREHOUSE.toUri().toString();
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void errorRatesAndPercentilesCountEverySpanBeforeSampling() throws Exception {
        Map<String, long[]> byService = new HashMap<>();
        for (Row r : run("error-rates")) {
            // No head sampler in the fixture: the estimates are the counts.
            assertThat((Double) r.getField(2)).isEqualTo(((Long) r.getField(1)).doubleValue());
            byService.put(
                    (String) r.getField(0), new long[] {(Long) r.getField(1), ((Double) r.getField(3)).longValue()});
        }
        assertThat(byService.keySet()).isEqualTo(truth.spansSeenByService.keySet());
        truth.spansSeenByService.forEach((service, spans) -> {
            assertThat(byService.get(service)[0]).as(service).isEqualTo(spans);
            assertThat(byService.get(service)[1])
                    .as(service)
                    .isEqualTo(truth.errorSpansByService.getOrDefault(service, 0L));
        });

        List<Row> percentiles = run("latency-percentiles");
        assertThat(percentiles).isNotEmpty().allSatisfy(r -> {
            double p50 = (Double) r.getField(3);
            double p95 = (Double) r.getField(4);
            double p99 = (Double) r.getField(5);
            double max = (Double) r.getField(6);
            assertThat(p50).isPositive().isLessThanOrEqualTo(p95);
            assertThat(p95).isLessThanOrEqualTo(p99);
            // Quantiles are within 1 % of a true value, which is at most the maximum.
            assertThat(p99).isLessThanOrEqualTo(max * 1.01);
        });
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void theServiceGraphEstimatesEveryCallWithoutBias() throws Exception {
        Map<String, Row> byEdge = new HashMap<>();
        for (Row r : run("service-graph")) {
            byEdge.put(r.getField(0) + " -> " + r.getField(1), r);
        }
        // An edge of rare traces none of which was kept has no row: its estimate is 0.
        assertThat(truth.callsSeenByEdge.keySet()).containsAll(byEdge.keySet());
        double total = 0;
        double estimated = 0;
        for (Map.Entry<String, Long> edge : truth.callsSeenByEdge.entrySet()) {
            Row row = byEdge.get(edge.getKey());
            double estimate = row == null ? 0 : (Double) row.getField(3);
            double edgeVariance = truth.edgeEstimateVariance.getOrDefault(edge.getKey(), 0.0);
            // Four standard errors an edge: some of the hundreds of edges pass three by chance.
            assertThat(estimate)
                    .as(edge.getKey())
                    .isCloseTo(edge.getValue(), within(4 * Math.sqrt(edgeVariance) + 1e-6));
            total += edge.getValue();
            estimated += estimate;
        }
        assertThat(byEdge).hasSizeGreaterThan(100);
        // A trace's calls are kept together, so the total's variance is the traces', not the edges' sum.
        double standardError = Math.sqrt(truth.callsEstimateVariance);
        assertThat(estimated).isCloseTo(total, within(3 * standardError));
        assertThat(standardError).as("the sampling error is tested, not zero").isPositive();
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void adjustedCountsEstimateEveryTraceWithoutBias() throws Exception {
        Map<String, Long> keptByService = truth.keptRoots.stream()
                .collect(Collectors.groupingBy(GeneratedWarehouse.Root::service, Collectors.counting()));
        List<Row> rows = run("estimated-traces");
        assertThat(rows).hasSize(keptByService.size());
        for (Row r : rows) {
            String service = (String) r.getField(0);
            assertThat(r.getField(1)).isEqualTo(keptByService.get(service));
            double estimate = (Double) r.getField(2);
            double expected = truth.keptRoots.stream()
                    .filter(root -> root.service().equals(service))
                    .mapToDouble(GeneratedWarehouse.Root::adjustedCount)
                    .sum();
            assertThat(estimate).isCloseTo(expected, within(1e-6));
            long seen = truth.rootTracesSeen.get(service);
            // Kept at 0.2 unless slow or failed: the estimate's variance is at most seen * (1 - p) / p.
            double standardError = Math.sqrt(seen * 0.8 / 0.2);
            assertThat(estimate).as(service).isCloseTo(seen, within(4 * standardError + 1));
        }
    }
}

package dev.tailsampling.jobs.warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.iceberg.IcebergCatalogConf;
import dev.tailsampling.iceberg.SpansTable;
import dev.tailsampling.iceberg.TableWrites;
import dev.tailsampling.iceberg.WarehouseSql;
import dev.tailsampling.iceberg.maintenance.WarehouseMaintenance;
import dev.tailsampling.sampling.DecisionTrigger;
import dev.tailsampling.sampling.Span;
import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Warehouse maintenance on a generated warehouse of six hours, several commits an hour. */
class WarehouseMaintenanceTest {
    private static final long HOUR = 3_600_000L;

    @TempDir
    Path temp;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void dropsExactlyTheExpiredPartitionsCompactsClosedOnesInTraceOrderAndKeepsEveryOtherRow() throws Exception {
        IcebergCatalogConf catalog = IcebergCatalogConf.localWarehouse(
                temp.resolve("warehouse").toUri().toString());
        Instant now = midHourAhead();
        GeneratedWarehouse.write(catalog, new GeneratedWarehouse.Spec(3_000, 6, 8, 3, 0.3, 5), now, List.of());
        long cutoff = Math.floorDiv(now.toEpochMilli() - 3 * HOUR, HOUR) * HOUR;
        long closedBy = now.toEpochMilli() - HOUR;
        WarehouseSql sql = WarehouseSql.open(catalog);
        long kept = count(sql, "spans WHERE start_time >= TO_TIMESTAMP_LTZ(" + cutoff + ", 3)");
        long expired = count(sql, "spans WHERE start_time < TO_TIMESTAMP_LTZ(" + cutoff + ", 3)");
        long summaries = count(sql, "trace_summaries");
        long metrics = count(sql, "service_metrics");
        assertThat(expired).as("the fixture has hours to expire").isPositive();
        Table spans = catalog.loadTable("spans");
        Table index = catalog.loadTable("trace_index");
        assertThat(WarehouseMaintenance.manifestsClustered(index))
                .as("commits add manifests across buckets")
                .isFalse();
        Path stray = Paths.get(URI.create(spans.location())).resolve("data").resolve("stray.parquet");
        Files.write(stray, new byte[] {1, 2, 3});
        assertThat(stray.toFile().setLastModified(System.currentTimeMillis() - 5 * 24 * HOUR))
                .isTrue();
        Path young = stray.resolveSibling("young.parquet");
        Files.write(young, new byte[] {4});
        long openHour = Math.floorDiv(now.toEpochMilli(), HOUR) * HOUR - HOUR;
        int openFiles = filesIn(spans, openHour);
        int openPartitions = partitionsIn(spans, openHour);
        assertThat(openFiles)
                .as("several commits to each service of the open hour")
                .isGreaterThan(openPartitions);
        int expiredPartitions = 0;
        for (long hour = cutoff - 3 * HOUR; hour < cutoff; hour += HOUR) {
            expiredPartitions += partitionsIn(spans, hour);
        }

        // On a clock that starts at the fixture's own now, so that the hours it expires are the ones counted above.
        String printed = maintenance(
                        catalog,
                        now,
                        Map.of(
                                "retention.spans", "3h",
                                "retention.trace-index", "3h",
                                "maintenance.closed-after", "1h",
                                "maintenance.snapshot-age", "1ms"))
                .runOnce()
                .stream()
                .map(Object::toString)
                .collect(Collectors.joining("\n"));
        assertThat(printed)
                .contains("spans: retention dropped " + expiredPartitions + " partitions")
                .contains("trace_summaries: retention dropped 0")
                .contains("bin-packed open ones (" + openFiles + " files -> " + openPartitions + ")");

        assertThat(count(sql, "spans WHERE start_time < TO_TIMESTAMP_LTZ(" + cutoff + ", 3)"))
                .isZero();
        assertThat(count(sql, "spans")).isEqualTo(kept);
        assertThat(count(sql, "trace_summaries")).isEqualTo(summaries);
        assertThat(count(sql, "service_metrics")).isEqualTo(metrics);
        assertThat(count(
                        sql,
                        "trace_index WHERE span_hour < TO_TIMESTAMP_LTZ("
                                + Math.floorDiv(now.toEpochMilli() - 3 * HOUR, 24 * HOUR) * 24 * HOUR + ", 3)"))
                .isZero();

        spans.refresh();
        List<Long> closedHours = new ArrayList<>();
        for (long hour = cutoff; hour + HOUR <= closedBy; hour += HOUR) {
            closedHours.add(hour);
        }
        assertThat(closedHours).as("the fixture has closed hours to compact").isNotEmpty();
        for (long hour : closedHours) {
            // One file per partition, so a service's rows come in the order of its file.
            Map<String, List<String>> idsByService = new HashMap<>();
            try (CloseableIterable<Record> rows = IcebergGenerics.read(spans)
                    .where(Expressions.and(
                            Expressions.greaterThanOrEqual("start_time", hour * 1000),
                            Expressions.lessThan("start_time", (hour + HOUR) * 1000)))
                    .build()) {
                rows.forEach(r -> idsByService
                        .computeIfAbsent((String) r.getField("service_name"), service -> new ArrayList<>())
                        .add((String) r.getField("trace_id")));
            }
            assertThat(partitionsIn(spans, hour))
                    .as("a partition per service of the closed hour")
                    .isEqualTo(idsByService.size())
                    .isGreaterThan(1);
            assertThat(filesIn(spans, hour)).as("one file per partition").isEqualTo(idsByService.size());
            idsByService
                    .values()
                    .forEach(ids -> assertThat(ids).as("rows in trace-id order").isSorted());
        }
        assertThat(filesIn(spans, openHour))
                .as("the open hour is bin-packed by the rewrite action")
                .isEqualTo(openPartitions);

        assertThat(spans.snapshots()).hasSize(1);
        index.refresh();
        assertThat(WarehouseMaintenance.manifestsClustered(index))
                .as("one manifest per bucket")
                .isTrue();
        assertThat(WarehouseMaintenance.manifestsClustered(spans))
                .as("one manifest per hour")
                .isTrue();
        assertThat(stray).doesNotExist();
        assertThat(young).exists();
        assertThat(new File(URI.create(spans.location())).exists()).isTrue();
    }

    /**
     * The job appends to an hour while maintenance compacts it (catch-up after an outage, late
     * spans): every appended row is still there afterwards. An overwrite of the hour would replace
     * the rows committed between its read and its commit.
     */
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void compactionLosesNoRowTheJobAppendsToTheHourMeanwhile() throws Exception {
        IcebergCatalogConf catalog = IcebergCatalogConf.localWarehouse(
                temp.resolve("warehouse").toUri().toString());
        Instant now = midHourAhead();
        GeneratedWarehouse.write(catalog, new GeneratedWarehouse.Spec(3_000, 4, 8, 3, 0.3, 9), now, List.of());
        Table spans = catalog.loadTable("spans");
        // Without retries every commit that meets another fails, so maintenance's commits lose to the
        // job's as often as they can.
        spans.updateProperties().set(TableProperties.COMMIT_NUM_RETRIES, "0").commit();
        long closedHour = Math.floorDiv(now.toEpochMilli(), HOUR) * HOUR - 3 * HOUR;
        long rowsBefore = rows(spans);
        List<String> appended = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean stop = new AtomicBoolean();
        Thread job = new Thread(
                () -> {
                    Random random = new Random(3);
                    while (!stop.get()) {
                        List<Span> batch = new ArrayList<>();
                        for (int i = 0; i < 10; i++) {
                            batch.add(lateSpan(random, closedHour + random.nextInt((int) HOUR)));
                        }
                        try {
                            TableWrites.append(
                                    catalog.loadTable("spans"), SpansTable.TABLE, SpansTable.COLUMNS.rows(), batch);
                        } catch (CommitFailedException lost) {
                            continue;
                        }
                        batch.forEach(span -> appended.add(span.traceId + "/" + span.spanId));
                    }
                },
                "job-appends");
        job.start();
        try {
            maintenance(catalog, now, Map.of("maintenance.closed-after", "1h")).runOnce();
        } finally {
            stop.set(true);
            job.join();
        }

        assertThat(appended).as("the job appended while maintenance ran").isNotEmpty();
        assertThat(rows(spans)).isEqualTo(rowsBefore + appended.size());
        Set<String> ids = new HashSet<>();
        spans.refresh();
        try (CloseableIterable<Record> rows =
                IcebergGenerics.read(spans).select("trace_id", "span_id").build()) {
            rows.forEach(r -> ids.add(r.getField("trace_id") + "/" + r.getField("span_id")));
        }
        assertThat(ids).containsAll(appended);
    }

    /**
     * A {@code spans} table made when it was partitioned by hour only gains the service in place:
     * old files keep their layout and stay readable, new ones get the new, and maintenance rewrites
     * closed hours into the new layout without losing a row.
     */
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aTablePartitionedByHourOnlyGainsTheServiceInPlaceAndMaintenanceMovesClosedHours() throws Exception {
        IcebergCatalogConf catalog = IcebergCatalogConf.localWarehouse(
                temp.resolve("warehouse").toUri().toString());
        Table spans = catalog.catalogLoader()
                .loadCatalog()
                .buildTable(catalog.tableId(SpansTable.NAME), SpansTable.SCHEMA)
                .withPartitionSpec(PartitionSpec.builderFor(SpansTable.SCHEMA)
                        .hour("start_time")
                        .build())
                .withProperties(SpansTable.TABLE.properties())
                .create();
        long closedHour = Math.floorDiv(System.currentTimeMillis(), HOUR) * HOUR - 3 * HOUR;
        Random random = new Random(5);
        List<Span> before = new ArrayList<>();
        List<Span> after = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            before.add(lateSpan(random, closedHour + random.nextInt((int) HOUR), i % 2 == 0 ? "checkout" : "cart"));
            after.add(lateSpan(random, closedHour + random.nextInt((int) HOUR), i % 2 == 0 ? "checkout" : "cart"));
        }
        TableWrites.append(spans, SpansTable.TABLE, SpansTable.COLUMNS.rows(), before);

        catalog.createTableIfMissing(SpansTable.TABLE);
        spans.refresh();
        assertThat(spans.spec().fields())
                .extracting(field -> field.name())
                .containsExactly("start_time_hour", "service_name");
        TableWrites.append(spans, SpansTable.TABLE, SpansTable.COLUMNS.rows(), after);
        assertThat(filesOf(spans, closedHour))
                .extracting(DataFile::specId)
                .containsExactlyInAnyOrder(
                        0, spans.spec().specId(), spans.spec().specId());
        assertThat(rows(spans)).isEqualTo(400);

        String printed = maintenance(catalog, Instant.now(), Map.of("maintenance.closed-after", "1h"))
                .runOnce()
                .get(0)
                .toString();
        assertThat(printed).contains("compacted 2 closed partitions (3 files -> 2)");
        spans.refresh();
        assertThat(filesOf(spans, closedHour))
                .extracting(DataFile::specId)
                .containsOnly(spans.spec().specId());
        assertThat(rows(spans)).isEqualTo(400);
        assertThat(count(WarehouseSql.open(catalog), "spans WHERE service_name = 'cart'"))
                .isEqualTo(200);
    }

    private static Span lateSpan(Random random, long startMillis) {
        return lateSpan(random, startMillis, "checkout");
    }

    private static Span lateSpan(Random random, long startMillis, String service) {
        Span span = new Span();
        span.traceId = String.format("%016x%016x", random.nextLong(), random.nextLong());
        span.spanId = String.format("%016x", random.nextLong());
        span.parentSpanId = "";
        span.serviceName = service;
        span.operationName = "late";
        span.spanKind = "SERVER";
        span.statusCode = "UNSET";
        span.startTimeUnixNano = startMillis * 1_000_000L;
        span.endTimeUnixNano = span.startTimeUnixNano + 1_000_000L;
        span.durationNs = 1_000_000L;
        span.markKept("errors", 1.0, DecisionTrigger.LATE, false);
        return span;
    }

    private static long rows(Table table) {
        table.refresh();
        return Long.parseLong(table.currentSnapshot().summary().get("total-records"));
    }

    /**
     * The middle of an hour, 30 to 90 minutes ahead: the fixture's hours count back from it, a pass
     * that starts there does not straddle an hour boundary, and the snapshots the fixture committed
     * in real time are in its past.
     */
    private static Instant midHourAhead() {
        return Instant.now().truncatedTo(ChronoUnit.HOURS).plus(Duration.ofMinutes(90));
    }

    /** Maintenance with {@code parameters} on a clock that reads {@code now} when the pass starts, and runs on. */
    private static WarehouseMaintenance maintenance(
            IcebergCatalogConf catalog, Instant now, Map<String, String> parameters) {
        return new WarehouseMaintenance(
                catalog,
                WarehouseMaintenance.Settings.from(Configuration.fromMap(parameters)),
                Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), now)));
    }

    private static long count(WarehouseSql sql, String from) throws Exception {
        return sql.query("SELECT COUNT(*) FROM " + from).get(0).<Long>getFieldAs(0);
    }

    private static int filesIn(Table table, long hourMillis) throws Exception {
        return filesOf(table, hourMillis).size();
    }

    private static int partitionsIn(Table table, long hourMillis) throws Exception {
        Set<String> partitions = new HashSet<>();
        filesOf(table, hourMillis)
                .forEach(file -> partitions.add(table.specs().get(file.specId()).partitionToPath(file.partition())));
        return partitions.size();
    }

    private static List<DataFile> filesOf(Table table, long hourMillis) throws Exception {
        List<DataFile> files = new ArrayList<>();
        try (CloseableIterable<FileScanTask> tasks = table.newScan()
                .filter(Expressions.and(
                        Expressions.greaterThanOrEqual("start_time", hourMillis * 1000),
                        Expressions.lessThan("start_time", (hourMillis + HOUR) * 1000)))
                .planFiles()) {
            tasks.forEach(task -> files.add(task.file()));
        }
        return files;
    }
}

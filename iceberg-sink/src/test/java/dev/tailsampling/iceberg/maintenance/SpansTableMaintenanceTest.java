package dev.tailsampling.iceberg.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.iceberg.IcebergCatalogConf;
import dev.tailsampling.iceberg.SpansTable;
import dev.tailsampling.iceberg.TableWrites;
import dev.tailsampling.sampling.DecisionTrigger;
import dev.tailsampling.sampling.Span;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Partition retention, orphan cleanup and file counts on a small spans table, as of a fixed time. */
class SpansTableMaintenanceTest {
    private static final Instant NOW = Instant.parse("2026-01-01T12:30:00Z");

    @TempDir
    Path warehouse;

    private Table spans;

    /** Spans at 07:10 (two services), 07:50, 08:20, 09:15 and 11:40, one commit: five partitions. */
    @BeforeEach
    void writeSpans() {
        spans = IcebergCatalogConf.localWarehouse(warehouse.toUri().toString()).createTableIfMissing(SpansTable.TABLE);
        TableWrites.append(spans, SpansTable.TABLE, SpansTable.COLUMNS.rows(), fixture());
    }

    private static List<Span> fixture() {
        return List.of(
                span("a1", "07:10", "cart"),
                span("a2", "07:10", "checkout"),
                span("a3", "07:50", "cart"),
                span("b1", "08:20", "cart"),
                span("c1", "09:15", "cart"),
                span("d1", "11:40", "checkout"));
    }

    @Test
    void fileCountsShowAPartitionThatHoldsMoreThanOneFile() {
        assertThat(FileCounts.of(spans))
                .extracting(FileCounts::partitions, FileCounts::files, FileCounts::mostFilesInAPartition)
                .containsExactly(5, 5L, 1);

        TableWrites.append(spans, SpansTable.TABLE, SpansTable.COLUMNS.rows(), List.of(span("a4", "07:20", "cart")));
        FileCounts counts = FileCounts.of(spans);
        assertThat(counts)
                .extracting(FileCounts::partitions, FileCounts::files, FileCounts::mostFilesInAPartition)
                .containsExactly(5, 6L, 2);
        assertThat(counts.smallFiles())
                .as("every file is far below the target size")
                .isEqualTo(6);
        assertThat(counts.toString()).contains("6 data files in 5 partitions").contains("2 in the fullest partition");
    }

    @Test
    void dropsWholeHoursThatEndedBeforeTheRetentionAndNothingElse() throws IOException {
        // 12:30 - 3 h = 09:30: the hours of 07:00 and 08:00 ended by 09:00; 09:00 is still kept.
        PartitionRetention.Dropped dropped =
                PartitionRetention.dropOlderThan(spans, "start_time", Duration.ofHours(3), NOW);

        assertThat(dropped).isEqualTo(new PartitionRetention.Dropped(3, 3, 4));
        assertThat(spanIds()).containsExactlyInAnyOrder("c1", "d1");
        assertThat(spans.currentSnapshot().summary())
                .as("a metadata-only delete: no file rewritten")
                .containsEntry("deleted-data-files", "3")
                .doesNotContainKey("added-data-files");

        assertThat(PartitionRetention.dropOlderThan(spans, "start_time", Duration.ofHours(3), NOW))
                .as("a second pass at the same time finds nothing")
                .isEqualTo(new PartitionRetention.Dropped(0, 0, 0));
    }

    @Test
    void deletesOldFilesNoSnapshotReferencesAndKeepsReferencedAndYoungOnes() throws IOException {
        Path data = Paths.get(URI.create(spans.location())).resolve("data");
        Path stray = data.resolve("stray.parquet");
        Files.write(stray, new byte[] {1, 2, 3});
        Path young = data.resolve("young.parquet");
        Files.write(young, new byte[] {4});
        Instant old = NOW.minus(Duration.ofDays(5));
        assertThat(stray.toFile().setLastModified(old.toEpochMilli())).isTrue();
        List<Path> referenced = new ArrayList<>();
        try (CloseableIterable<FileScanTask> tasks = spans.newScan().planFiles()) {
            tasks.forEach(
                    task -> referenced.add(Paths.get(URI.create(task.file().location()))));
        }
        assertThat(referenced).isNotEmpty();
        for (Path file : referenced) {
            assertThat(file.toFile().setLastModified(old.toEpochMilli())).isTrue();
        }

        long deleted = OrphanFiles.deleteOlderThan(spans, NOW.minus(Duration.ofDays(3)));

        assertThat(deleted).isEqualTo(1);
        assertThat(stray).doesNotExist();
        assertThat(young)
                .as("younger than the orphan age: maybe a commit in flight")
                .exists();
        assertThat(referenced).allMatch(Files::exists);
        assertThat(spanIds()).hasSize(6);
    }

    private List<String> spanIds() throws IOException {
        spans.refresh();
        List<String> ids = new ArrayList<>();
        try (CloseableIterable<Record> rows = IcebergGenerics.read(spans).build()) {
            rows.forEach(row -> ids.add((String) row.getField("span_id")));
        }
        return ids;
    }

    private static Span span(String spanId, String time, String service) {
        Span span = new Span();
        span.traceId = "0af7651916cd43dd8448eb211c80319c";
        span.spanId = spanId;
        span.parentSpanId = "";
        span.serviceName = service;
        span.operationName = "GET /";
        span.spanKind = "SERVER";
        span.statusCode = "UNSET";
        span.startTimeUnixNano = Instant.parse("2026-01-01T" + time + ":00Z").toEpochMilli() * 1_000_000L;
        span.endTimeUnixNano = span.startTimeUnixNano + 1_000_000L;
        span.durationNs = 1_000_000L;
        span.markKept("errors", 1.0, DecisionTrigger.INACTIVITY, false);
        return span;
    }
}

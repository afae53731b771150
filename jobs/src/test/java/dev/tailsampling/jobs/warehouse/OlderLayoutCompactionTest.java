package dev.tailsampling.jobs.warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.iceberg.IcebergCatalogConf;
import dev.tailsampling.iceberg.OlderTables;
import dev.tailsampling.iceberg.TableWrites;
import dev.tailsampling.iceberg.TraceSummariesTable;
import dev.tailsampling.iceberg.maintenance.SortedCompaction;
import dev.tailsampling.iceberg.maintenance.WarehouseMaintenance;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compaction of a table an older version made, which holds columns this version no longer writes:
 * the sorted rewrite reads and writes every column the table has, so rows keep their values.
 */
class OlderLayoutCompactionTest {
    private static final long HOUR_NANOS = 3_600_000_000_000L;
    private static final long START = 490_000L * HOUR_NANOS;

    @TempDir
    Path warehouse;

    @Test
    void aClosedHourOfSummariesWithTheOldPathColumnsCompactsToOneFileWithEveryValue() throws Exception {
        IcebergCatalogConf catalog =
                IcebergCatalogConf.localWarehouse(warehouse.toUri().toString());
        OlderTables.summariesWithSpanIdsAndNanos(catalog);
        Table summaries = catalog.createTableIfMissing(TraceSummariesTable.TABLE);
        for (int commit = 0; commit < 3; commit++) {
            TableWrites.append(
                    summaries,
                    TraceSummariesTable.TABLE,
                    TraceSummariesTable.COLUMNS.rows(),
                    List.of(OlderTables.oneSpanTrace(
                            String.format("%032x", commit + 1), START + commit * 1_000_000_000L)));
        }
        summaries.refresh();

        List<WarehouseMaintenance.Report> reports = new WarehouseMaintenance(
                        catalog,
                        WarehouseMaintenance.Settings.from(new Configuration()),
                        Clock.fixed(Instant.ofEpochSecond(0, START + 3 * HOUR_NANOS), ZoneOffset.UTC))
                .runOnce();

        assertThat(reports)
                .filteredOn(report -> report.table().endsWith(TraceSummariesTable.NAME))
                .singleElement()
                .satisfies(report -> assertThat(report.compacted()).isEqualTo(new SortedCompaction.Compacted(1, 3, 1)));
        List<Record> rows = new ArrayList<>();
        summaries.refresh();
        try (CloseableIterable<Record> read = IcebergGenerics.read(summaries).build()) {
            read.forEach(rows::add);
        }
        assertThat(rows).hasSize(3).allSatisfy(row -> {
            Record step = (Record) ((List<?>) row.getField("critical_path")).get(0);
            assertThat(step.getField("service_name")).isEqualTo("frontend");
            assertThat(step.getField("self_time_us")).isEqualTo(2_500L);
            assertThat(step.getField("span_id")).isNull();
            assertThat(row.getField("adjusted_count")).isEqualTo(1.0);
        });
    }
}

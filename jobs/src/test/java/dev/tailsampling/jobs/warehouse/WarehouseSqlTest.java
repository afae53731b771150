package dev.tailsampling.jobs.warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.iceberg.IcebergCatalogConf;
import dev.tailsampling.iceberg.SpansTable;
import dev.tailsampling.iceberg.TableWrites;
import dev.tailsampling.iceberg.WarehouseSql;
import dev.tailsampling.sampling.Span;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.types.Row;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SQL on a local catalog, as the local run and the {@code sql} command ask it. */
class WarehouseSqlTest {
    private static final long HOUR = 1_767_225_600_000_000_000L;

    @TempDir
    Path warehouse;

    /**
     * Iceberg's source asks for a task a split, up to 100; a local session's 128 MB of managed
     * memory shared by that many slots left a hash aggregate less than the megabyte it needs, so
     * the local run's first query failed after an hour of load (which had written 71 splits).
     */
    @Test
    void anAggregateOverAHundredFilesRuns() throws Exception {
        IcebergCatalogConf catalog = IcebergCatalogConf.localWarehouse(warehouse.toString());
        Table spans = catalog.createTableIfMissing(SpansTable.TABLE);
        List<Span> records = new ArrayList<>();
        int services = 120;
        for (int i = 0; i < services; i++) {
            records.add(span("trace-" + (i % 40), "service-" + i));
        }
        // A file a partition: a service each.
        TableWrites.append(spans, SpansTable.TABLE, SpansTable.COLUMNS.rows(), records);
        spans.refresh();
        assertThat(spans.currentSnapshot().summary()).containsEntry("added-data-files", String.valueOf(services));

        // A split a file, as files of tens of megabytes give.
        List<Row> rows = WarehouseSql.open(catalog)
                .query("SELECT sampling_policy, COUNT(DISTINCT trace_id) AS traces, COUNT(*) AS spans"
                        + " FROM spans /*+ OPTIONS('split-size'='1') */ GROUP BY sampling_policy");

        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).getField("traces")).isEqualTo(40L);
        assertThat(rows.get(0).getField("spans")).isEqualTo((long) services);
    }

    private static Span span(String traceId, String service) {
        Span span = new Span();
        span.traceId = traceId;
        span.spanId = service;
        span.startTimeUnixNano = HOUR;
        span.endTimeUnixNano = HOUR + 1_000_000;
        span.durationNs = 1_000_000;
        span.serviceName = service;
        span.operationName = "GET /";
        span.samplingPolicy = "errors";
        span.sampleProbability = 1.0;
        span.adjustedCount = 1.0;
        return span;
    }
}

package dev.tailsampling.iceberg.maintenance;

import dev.tailsampling.iceberg.IcebergCatalogConf;
import dev.tailsampling.iceberg.TableDefinition;
import dev.tailsampling.iceberg.WarehouseSql;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.RewriteFiles;
import org.apache.iceberg.SortField;
import org.apache.iceberg.Table;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rewrites a table's closed time partitions into few files in the table's sort order (trace id for
 * spans and the index), which Iceberg's Flink rewrite action cannot do: it only bin-packs.
 *
 * <p>Each period is read sorted through Iceberg's Flink connector at one snapshot, written with
 * Iceberg's own Flink writer on one writer (so the sort stays within memory and a closed period
 * becomes one file per partition, or one per target size), and swapped for exactly the files it was
 * read from by a rewrite validated from that snapshot. Rows the job appends meanwhile are in files
 * this rewrite never touches, so none is lost; an {@code INSERT OVERWRITE} would replace them. A
 * period whose files changed under it (another rewrite, retention) is left as it was, its new files
 * deleted.
 */
public final class SortedCompaction {
    private static final Logger LOG = LoggerFactory.getLogger(SortedCompaction.class);

    /** What one pass compacted. */
    public record Compacted(int partitions, long filesBefore, long filesAfter) {}

    private final IcebergCatalogConf catalog;
    private WarehouseSql sql;

    SortedCompaction(IcebergCatalogConf catalog) {
        this.catalog = catalog;
    }

    /** Compacts the periods of {@code table} that ended by {@code closedBy} and hold more files than partitions. */
    Compacted compactClosed(Table table, TableDefinition definition, Instant closedBy) {
        TimePartitions before = TimePartitions.of(table, definition.timeColumn());
        List<Long> starts = before.startsToCompact(closedBy.toEpochMilli());
        if (starts.isEmpty()) {
            return new Compacted(0, 0, 0);
        }
        for (long start : starts) {
            compact(table, definition, start, before.unitMillis());
        }
        table.refresh();
        TimePartitions after = TimePartitions.of(table, definition.timeColumn());
        return new Compacted(
                before.partitionsIn(starts), before.filesStartingAt(starts), after.filesStartingAt(starts));
    }

    private void compact(Table table, TableDefinition definition, long start, long unitMillis) {
        String time = definition.timeColumn();
        table.refresh();
        long base = table.currentSnapshot().snapshotId();
        Expression period = Expressions.and(
                Expressions.greaterThanOrEqual(time, start * 1000),
                Expressions.lessThan(time, (start + unitMillis) * 1000));
        List<DataFile> replaced =
                ScannedFiles.of(table, table.newScan().useSnapshot(base).filter(period));
        StringJoiner order = new StringJoiner(", ");
        for (SortField field : table.sortOrder().fields()) {
            order.add(table.schema().findColumnName(field.sourceId()));
        }
        List<DataFile> written = sql().writeSorted(
                        table,
                        String.format(
                                "SELECT * FROM %s /*+ OPTIONS('snapshot-id'='%d') */ WHERE %s >= TO_TIMESTAMP_LTZ(%d, 3)"
                                        + " AND %s < TO_TIMESTAMP_LTZ(%d, 3)%s",
                                definition.name(),
                                base,
                                time,
                                start,
                                time,
                                start + unitMillis,
                                order.length() == 0 ? "" : " ORDER BY " + order));
        RewriteFiles rewrite = table.newRewrite().validateFromSnapshot(base);
        replaced.forEach(rewrite::deleteFile);
        written.forEach(rewrite::addFile);
        try {
            rewrite.commit();
        } catch (ValidationException | CommitFailedException e) {
            written.forEach(file -> table.io().deleteFile(file.location()));
            LOG.warn(
                    "Left {} period {} as it was: its files changed while it was compacted ({})",
                    table.name(),
                    Instant.ofEpochMilli(start),
                    e.getMessage());
        }
    }

    private WarehouseSql sql() {
        if (sql == null) {
            // The Iceberg source would otherwise run one reader per file, all in this one process.
            sql = WarehouseSql.open(
                    catalog,
                    Map.of("parallelism.default", "1", "table.exec.iceberg.infer-source-parallelism", "false"));
        }
        return sql;
    }
}

package dev.tailsampling.jobs;

import dev.tailsampling.iceberg.IcebergCatalogConf;
import dev.tailsampling.iceberg.SpansTable;
import dev.tailsampling.iceberg.TraceIndexTable;
import dev.tailsampling.iceberg.TraceSummariesTable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;

/**
 * Finds a trace's spans the way the tables are laid out for: its rows in one {@code trace_index}
 * bucket name the hours its spans are in, and only those hours of {@code spans} are read. Reads
 * through Iceberg's own generic reader, which prunes files by partition and column bounds and row
 * groups by statistics and bloom filters. Counts the data files it had to open.
 */
public final class TraceLookup {
    private static final long HOUR_MICROS = 3_600_000_000L;

    /** A trace's spans, the hours they are in (micros), and the data files read to find them. */
    public record Found(List<Record> spans, TreeSet<Long> hours, int indexFiles, int spanFiles) {}

    private final Table index;
    private final Table spans;
    private final Table summaries;

    public TraceLookup(IcebergCatalogConf catalog) {
        this.index = catalog.loadTable(TraceIndexTable.NAME);
        this.spans = catalog.loadTable(SpansTable.NAME);
        this.summaries = catalog.loadTable(TraceSummariesTable.NAME);
    }

    /** The trace through the index; no spans if the index does not know it. */
    public Found find(String traceId) {
        Expression byId = Expressions.equal("trace_id", traceId);
        TreeSet<Long> hours = new TreeSet<>();
        for (Record row : read(index, byId, traceId)) {
            hours.add(((OffsetDateTime) row.getField("span_hour")).toEpochSecond() * 1_000_000L);
        }
        int indexFiles = files(index, byId);
        if (hours.isEmpty()) {
            return new Found(List.of(), hours, indexFiles, 0);
        }
        Expression inHours = Expressions.alwaysFalse();
        for (long hour : hours) {
            inHours = Expressions.or(inHours, within(hour, hour + HOUR_MICROS));
        }
        Expression filter = Expressions.and(byId, inHours);
        return new Found(read(spans, filter, traceId), hours, indexFiles, files(spans, filter));
    }

    /** The trace's summary, looked for from an hour before its first span's hour to its last one's end. */
    public Record summary(String traceId, TreeSet<Long> hours) {
        List<Record> found = read(summaries, Expressions.and(Expressions.equal("trace_id", traceId),
                within(hours.first() - HOUR_MICROS, hours.last() + HOUR_MICROS)), traceId);
        return found.isEmpty() ? null : found.get(0);
    }

    /** The trace by a plain filter on {@code spans}, as a query that knows nothing else would read it. */
    public Found scan(String traceId) {
        Expression byId = Expressions.equal("trace_id", traceId);
        return new Found(read(spans, byId, traceId), new TreeSet<>(), 0, files(spans, byId));
    }

    private static Expression within(long fromMicros, long toMicros) {
        return Expressions.and(
                Expressions.greaterThanOrEqual("start_time", fromMicros), Expressions.lessThan("start_time", toMicros));
    }

    /**
     * The rows of {@code traceId} in the files and row groups that {@code filter} cannot rule out;
     * pruning is by file and row group, so other traces' rows of a row group read are dropped here.
     */
    private static List<Record> read(Table table, Expression filter, String traceId) {
        List<Record> rows = new ArrayList<>();
        try (CloseableIterable<Record> records = IcebergGenerics.read(table).where(filter).build()) {
            for (Record record : records) {
                if (traceId.equals(record.getField("trace_id"))) {
                    rows.add(record);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + table.name(), e);
        }
        return rows;
    }

    private static int files(Table table, Expression filter) {
        int files = 0;
        try (CloseableIterable<FileScanTask> tasks = table.newScan().filter(filter).planFiles()) {
            for (FileScanTask ignored : tasks) {
                files++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot plan " + table.name(), e);
        }
        return files;
    }
}

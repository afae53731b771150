package dev.tailsampling.jobs;

import dev.tailsampling.iceberg.AttributeIndexTable;
import dev.tailsampling.iceberg.IcebergCatalogConf;
import dev.tailsampling.iceberg.SpansTable;
import dev.tailsampling.iceberg.TraceIndexTable;
import dev.tailsampling.iceberg.TraceSummariesTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.util.ThreadPools;

/**
 * Finds a trace's spans the way the tables are laid out for: its rows in one {@code trace_index}
 * bucket name the (hour, service) partitions its spans are in, and only those partitions of
 * {@code spans} are read. Iceberg's scan planning prunes files by partition and column bounds,
 * its Parquet reader row groups by statistics and bloom filters. Counts the data files it had to open.
 */
public final class TraceLookup {
    private static final long HOUR_MICROS = 3_600_000_000L;

    /**
     * Plans scans in the calling thread. Iceberg's parallel planning polls for its workers' results
     * every 10 ms, and a lookup's scan reads one or two manifests in about 2 ms: planning on the
     * worker pool took a lookup's two scans 12 ms each, here 4.
     */
    private static final ExecutorService IN_CALLING_THREAD = new AbstractExecutorService() {
        @Override
        public void execute(Runnable command) {
            command.run();
        }

        @Override
        public void shutdown() {
            throw new UnsupportedOperationException("shared by every lookup");
        }

        @Override
        public List<Runnable> shutdownNow() {
            throw new UnsupportedOperationException("shared by every lookup");
        }

        @Override
        public boolean isShutdown() {
            return false;
        }

        @Override
        public boolean isTerminated() {
            return false;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return false;
        }
    };

    /** A trace's spans, the hours they are in (micros), and the data files read to find them. */
    public record Found(List<Record> spans, TreeSet<Long> hours, int indexFiles, int spanFiles) {}

    /** A kept trace with an attribute value: its first hour (micros) and the services whose spans carry it. */
    public record Tagged(String traceId, long firstHour, TreeSet<String> services) {}

    /** The kept traces with an attribute value, newest first, and the index files read to find them. */
    public record TaggedTraces(List<Tagged> traces, int indexFiles) {}

    private final Table index;
    private final Table spans;
    private final Table summaries;

    public TraceLookup(IcebergCatalogConf catalog) {
        this.index = catalog.loadTable(TraceIndexTable.NAME);
        this.spans = catalog.loadTable(SpansTable.NAME);
        this.summaries = catalog.loadTable(TraceSummariesTable.NAME);
    }

    /**
     * Sees what the job committed to {@code trace_index} and {@code spans} since they were loaded,
     * for a lookup that runs for long (the summaries are the trace command's, which runs once).
     */
    public void refresh() {
        index.refresh();
        spans.refresh();
    }

    /** The {@code spans} table lookups read, as of the last {@link #refresh()}. */
    public Table spans() {
        return spans;
    }

    /** The snapshots of {@code trace_index} and {@code spans} that lookups read now: what a cached answer holds for. */
    public String snapshots() {
        return snapshotId(index) + "/" + snapshotId(spans);
    }

    private static long snapshotId(Table table) {
        return table.currentSnapshot() == null ? -1 : table.currentSnapshot().snapshotId();
    }

    /** The trace through the index; no spans if the index does not know it. */
    public Found find(String traceId) {
        return find(Expressions.equal("trace_id", traceId), ofTrace(traceId));
    }

    /**
     * Several traces through the index at once, each one's spans by its id; ids the index does not
     * know are left out. Traces of the same hours share their partitions' files, so this reads
     * fewer files than a lookup each.
     */
    public Map<String, List<Record>> findAll(Collection<String> traceIds) {
        Set<String> ids = new HashSet<>(traceIds);
        if (ids.isEmpty()) {
            return Map.of();
        }
        Map<String, List<Record>> byTrace = new HashMap<>();
        for (Record span : find(Expressions.in("trace_id", ids), row -> ids.contains(row.getField("trace_id")))
                .spans()) {
            byTrace.computeIfAbsent((String) span.getField("trace_id"), id -> new ArrayList<>())
                    .add(span);
        }
        return byTrace;
    }

    private Found find(Expression byId, Predicate<Record> wanted) {
        TreeSet<Long> hours = new TreeSet<>();
        Read indexRows = read(index, byId, wanted);
        Set<String> partitions = new HashSet<>();
        Expression inPartitions = Expressions.alwaysFalse();
        for (Record row : indexRows.rows()) {
            long hour = ((OffsetDateTime) row.getField("span_hour")).toEpochSecond() * 1_000_000L;
            hours.add(hour);
            if (partitions.add(hour + "/" + row.getField("service_name"))) {
                inPartitions = Expressions.or(
                        inPartitions,
                        Expressions.and(
                                within(hour, hour + HOUR_MICROS),
                                Expressions.equal("service_name", row.getField("service_name"))));
            }
        }
        if (hours.isEmpty()) {
            return new Found(List.of(), hours, indexRows.files(), 0);
        }
        Read spanRows = read(spans, Expressions.and(byId, inPartitions), wanted);
        return new Found(spanRows.rows(), hours, indexRows.files(), spanRows.files());
    }

    /**
     * The kept traces whose spans carry {@code key = value}, through {@code attribute_index}: one
     * bucket of the key's partitions per day. Only for keys the job indexes ({@code
     * --index.attributes}); for others there are no rows.
     */
    public static TaggedTraces withAttribute(IcebergCatalogConf catalog, String key, String value) {
        Table attributes = catalog.loadTable(AttributeIndexTable.NAME);
        Read rows = read(
                attributes,
                Expressions.and(Expressions.equal("attribute_key", key), Expressions.equal("attribute_value", value)),
                row -> key.equals(row.getField("attribute_key")) && value.equals(row.getField("attribute_value")));
        Map<String, Tagged> byTrace = new HashMap<>();
        for (Record row : rows.rows()) {
            String traceId = (String) row.getField("trace_id");
            long hour = ((OffsetDateTime) row.getField("span_hour")).toEpochSecond() * 1_000_000L;
            Tagged seen = byTrace.merge(
                    traceId,
                    new Tagged(traceId, hour, new TreeSet<>()),
                    (a, b) -> new Tagged(traceId, Math.min(a.firstHour(), b.firstHour()), a.services()));
            seen.services().add((String) row.getField("service_name"));
        }
        List<Tagged> traces = new ArrayList<>(byTrace.values());
        traces.sort(Comparator.comparingLong(Tagged::firstHour).reversed().thenComparing(Tagged::traceId));
        return new TaggedTraces(traces, rows.files());
    }

    /** The trace's summary, looked for from an hour before its first span's hour to its last one's end. */
    public Record summary(String traceId, TreeSet<Long> hours) {
        List<Record> found = read(
                        summaries,
                        Expressions.and(
                                Expressions.equal("trace_id", traceId),
                                within(hours.first() - HOUR_MICROS, hours.last() + HOUR_MICROS)),
                        ofTrace(traceId))
                .rows();
        return found.isEmpty() ? null : found.get(0);
    }

    /** The trace by a plain filter on {@code spans}, as a query that knows nothing else would read it. */
    public Found scan(String traceId) {
        Read spanRows = read(spans, Expressions.equal("trace_id", traceId), ofTrace(traceId));
        return new Found(spanRows.rows(), new TreeSet<>(), 0, spanRows.files());
    }

    private static Expression within(long fromMicros, long toMicros) {
        return Expressions.and(
                Expressions.greaterThanOrEqual("start_time", fromMicros), Expressions.lessThan("start_time", toMicros));
    }

    private static Predicate<Record> ofTrace(String traceId) {
        return row -> traceId.equals(row.getField("trace_id"));
    }

    /** Rows found and the number of data files opened to find them. */
    private record Read(List<Record> rows, int files) {}

    /**
     * The rows that {@code wanted} in the files and row groups that {@code filter} cannot rule out.
     * Plans the scan once, in this thread, and reads the files at once on Iceberg's worker pool (a
     * trace's spans are in a file per service, and an object store answers each read after a round
     * trip), each with Iceberg's Parquet reader, which skips row groups by statistics, dictionaries
     * and bloom filters; the other rows of a row group read are dropped here by {@code wanted}. The
     * tables are append-only, so there are no delete files to apply.
     */
    private static Read read(Table table, Expression filter, Predicate<Record> wanted) {
        List<FileScanTask> planned = new ArrayList<>();
        try (CloseableIterable<FileScanTask> tasks =
                table.newScan().planWith(IN_CALLING_THREAD).filter(filter).planFiles()) {
            tasks.forEach(planned::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot plan a read of " + table.name(), e);
        }
        ExecutorService pool = ThreadPools.getWorkerPool();
        List<Future<List<Record>>> reads = new ArrayList<>();
        for (FileScanTask task : planned) {
            reads.add(pool.submit(() -> readFile(table, filter, wanted, task)));
        }
        List<Record> rows = new ArrayList<>();
        try {
            for (Future<List<Record>> read : reads) {
                rows.addAll(read.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted reading " + table.name(), e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException failure
                    ? failure
                    : new IllegalStateException("cannot read " + table.name(), e.getCause());
        } finally {
            reads.forEach(read -> read.cancel(true));
        }
        return new Read(rows, planned.size());
    }

    private static List<Record> readFile(Table table, Expression filter, Predicate<Record> wanted, FileScanTask task) {
        if (task.file().format() != FileFormat.PARQUET) {
            throw new IllegalStateException(
                    table.name() + " has a " + task.file().format() + " data file; only Parquet is read: "
                            + task.file().location());
        }
        Schema schema = table.schema();
        List<Record> rows = new ArrayList<>();
        try (CloseableIterable<Record> records = Parquet.read(
                        table.io().newInputFile(task.file().location()))
                .project(schema)
                .filter(filter)
                .split(task.start(), task.length())
                .createReaderFunc(fileSchema -> GenericParquetReaders.buildReader(schema, fileSchema))
                .build()) {
            for (Record record : records) {
                if (wanted.test(record)) {
                    rows.add(record);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + task.file().location(), e);
        }
        return rows;
    }
}

package dev.tailsampling.jobs;

import static dev.tailsampling.jobs.JobParameters.positive;

import dev.tailsampling.iceberg.IcebergCatalogConf;
import dev.tailsampling.iceberg.ServiceMetricsTable;
import dev.tailsampling.iceberg.SpansTable;
import dev.tailsampling.iceberg.TableDefinition;
import dev.tailsampling.iceberg.TraceIndexTable;
import dev.tailsampling.iceberg.TraceSummariesTable;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.configuration.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.ManifestContent;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ManifestReader;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.ReachableFileUtil;
import org.apache.iceberg.RewriteFiles;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SortField;
import org.apache.iceberg.Table;
import org.apache.iceberg.actions.RewriteDataFilesActionResult;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.flink.actions.Actions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.SupportsPrefixOperations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the warehouse small and fast, table by table: drops partitions past their retention,
 * rewrites closed partitions into few files in the table's sort order (trace id for spans and the
 * index), regroups manifests by partition, expires old snapshots and deletes files that no snapshot
 * references.
 *
 * <p>Everything goes through Iceberg: retention is a metadata-only delete of whole partitions;
 * closed partitions are read sorted through Iceberg's Flink connector at one snapshot, written with
 * Iceberg's own Flink writer, and swapped for exactly the files they were read from by a rewrite
 * validated from that snapshot (Iceberg's Flink rewrite action only bin-packs and cannot sort; an
 * {@code INSERT OVERWRITE} would replace rows appended meanwhile); open partitions, which
 * the job still appends to, are bin-packed by that rewrite action, which is safe beside concurrent
 * commits; manifests are regrouped by Iceberg's manifest rewrite; expiry is Iceberg's own snapshot
 * expiry, and orphan cleanup lists the table's folder through Iceberg's file IO.
 */
public final class WarehouseMaintenance {
    static final Command COMMAND = new Command(
            "maintain",
            "retention, compaction, snapshot expiry and orphan cleanup of the tables",
            usage(),
            WarehouseMaintenance::run);

    private static final Logger LOG = LoggerFactory.getLogger(WarehouseMaintenance.class);
    private static final long HOUR_MILLIS = 3_600_000L;
    private static final long DAY_MILLIS = 24 * HOUR_MILLIS;

    /** What to keep and when to act, from the command's parameters. */
    public record Settings(
            IcebergCatalogConf catalog,
            Map<String, Duration> retention,
            Duration closedAfter,
            Duration snapshotAge,
            Duration orphanAge,
            Duration every) {

        /** From {@code --name value} pairs; a bad or unknown parameter throws, naming it. */
        public static Settings parse(String... args) {
            return fromMap(JobParameters.parse(args));
        }

        private static Settings fromMap(Map<String, String> params) {
            JobParameters.rejectUnknown(params, MaintenanceOptions.ALL);
            Configuration config = Configuration.fromMap(params);
            Map<String, Duration> retention = new TreeMap<>();
            retention.put(SpansTable.NAME, positive(config, MaintenanceOptions.RETENTION_SPANS));
            retention.put(TraceIndexTable.NAME, positive(config, MaintenanceOptions.RETENTION_TRACE_INDEX));
            retention.put(TraceSummariesTable.NAME, positive(config, MaintenanceOptions.RETENTION_TRACE_SUMMARIES));
            retention.put(ServiceMetricsTable.NAME, positive(config, MaintenanceOptions.RETENTION_SERVICE_METRICS));
            return new Settings(
                    JobParameters.catalog(params),
                    retention,
                    positive(config, MaintenanceOptions.CLOSED_AFTER),
                    positive(config, MaintenanceOptions.SNAPSHOT_AGE),
                    positive(config, MaintenanceOptions.ORPHAN_AGE),
                    params.containsKey(MaintenanceOptions.EVERY.key())
                            ? positive(config, MaintenanceOptions.EVERY)
                            : null);
        }
    }

    /** What one pass did to one table. */
    public record Report(
            String table,
            int partitionsDropped,
            long filesDropped,
            long rowsDropped,
            int partitionsCompacted,
            long filesBefore,
            long filesAfter,
            long openFilesBefore,
            long openFilesAfter,
            int manifestsBefore,
            int manifestsAfter,
            int snapshotsExpired,
            long filesExpired,
            long orphansDeleted) {

        @Override
        public String toString() {
            return String.format(
                    "%s: retention dropped %d partitions (%,d files, %,d rows); compacted %d closed partitions"
                            + " (%,d files -> %,d) and bin-packed open ones (%,d files -> %,d); regrouped manifests"
                            + " (%d -> %d); expired %d snapshots (%,d files deleted); deleted %,d orphan files",
                    table,
                    partitionsDropped,
                    filesDropped,
                    rowsDropped,
                    partitionsCompacted,
                    filesBefore,
                    filesAfter,
                    openFilesBefore,
                    openFilesAfter,
                    manifestsBefore,
                    manifestsAfter,
                    snapshotsExpired,
                    filesExpired,
                    orphansDeleted);
        }
    }

    private final Settings settings;

    public WarehouseMaintenance(Settings settings) {
        this.settings = settings;
    }

    /** The command's parameters with their defaults. */
    static String usage() {
        StringBuilder usage = new StringBuilder("usage: maintain");
        for (org.apache.flink.configuration.ConfigOption<?> option : MaintenanceOptions.ALL) {
            Object value = option.hasDefaultValue() ? option.defaultValue() : "VALUE";
            usage.append(" [--")
                    .append(option.key())
                    .append(' ')
                    .append(value instanceof Duration d ? shortly(d) : value)
                    .append(']');
        }
        return usage.append(" [--iceberg.catalog.KEY VALUE]").toString();
    }

    /** A duration as the parameters take it: 7d, 2h, 30min, 10s. */
    private static String shortly(Duration d) {
        if (d.toDays() > 0 && d.equals(Duration.ofDays(d.toDays()))) {
            return d.toDays() + "d";
        }
        if (d.toHours() > 0 && d.equals(Duration.ofHours(d.toHours()))) {
            return d.toHours() + "h";
        }
        if (d.toMinutes() > 0 && d.equals(Duration.ofMinutes(d.toMinutes()))) {
            return d.toMinutes() + "min";
        }
        return d.toSeconds() + "s";
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        Settings settings;
        try {
            settings = Settings.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("maintain: " + e.getMessage());
            return 2;
        }
        WarehouseMaintenance maintenance = new WarehouseMaintenance(settings);
        while (true) {
            List<Report> reports;
            try {
                reports = maintenance.runOnce(Instant.now());
            } catch (RuntimeException e) {
                err.println("maintain: on the " + settings.catalog().describe() + ": " + Cli.oneLine(e));
                return 1;
            }
            reports.forEach(out::println);
            if (settings.every() == null) {
                return 0;
            }
            try {
                Thread.sleep(settings.every().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 0;
            }
        }
    }

    /** One pass over the tables that exist, as of {@code now}. */
    public List<Report> runOnce(Instant now) {
        List<Report> reports = new ArrayList<>();
        for (TableDefinition definition : TableDefinition.all()) {
            Table table;
            try {
                table = settings.catalog().loadTable(definition.name());
            } catch (org.apache.iceberg.exceptions.NoSuchTableException notYet) {
                continue;
            }
            reports.add(maintain(table, definition, now.toEpochMilli()));
        }
        return reports;
    }

    private Report maintain(Table table, TableDefinition definition, long nowMillis) {
        TimePartitions partitions = TimePartitions.of(table, definition.timeColumn());
        // Retention: whole partitions, so the cutoff falls on a partition boundary.
        long cutoff = partitions.floor(
                nowMillis - settings.retention().get(definition.name()).toMillis());
        List<DataFile> expired = partitions.filesEndingBy(cutoff);
        if (!expired.isEmpty()) {
            table.newDelete()
                    .deleteFromRowFilter(Expressions.lessThan(definition.timeColumn(), cutoff * 1000))
                    .commit();
        }

        // Compaction: closed partitions that hold more than one file per partition.
        TimePartitions live = TimePartitions.of(table, definition.timeColumn());
        long closedBy = nowMillis - settings.closedAfter().toMillis();
        List<Long> toCompact = live.startsToCompact(closedBy);
        long filesBefore = 0;
        for (long start : toCompact) {
            filesBefore += live.filesStartingAt(start).size();
        }
        long filesAfter = 0;
        if (!toCompact.isEmpty()) {
            compact(table, definition, toCompact, live.unitMillis());
            TimePartitions compacted = TimePartitions.of(table, definition.timeColumn());
            for (long start : toCompact) {
                filesAfter += compacted.filesStartingAt(start).size();
            }
        }

        // Open partitions still receive appends: Iceberg's own rewrite action bin-packs their files,
        // replacing only the files it read, so a concurrent commit loses nothing.
        Expression open = Expressions.greaterThanOrEqual(definition.timeColumn(), live.floor(closedBy) * 1000);
        RewriteDataFilesActionResult packed =
                Actions.forTable(table).rewriteDataFiles().filter(open).execute();
        table.refresh();
        List<ManifestFile> manifests = dataManifests(table);
        int manifestsBefore = manifests.size();
        if (!clustered(manifests)) {
            table.rewriteManifests()
                    .clusterBy(file -> String.valueOf(file.partition().get(0, Object.class)))
                    .commit();
            table.refresh();
        }
        int manifestsAfter = dataManifests(table).size();

        // Snapshot expiry, then files that no snapshot reaches; ages count from now, after the
        // commits above.
        long expiryNow = System.currentTimeMillis();
        int snapshotsBefore = count(table.snapshots());
        AtomicLong filesExpired = new AtomicLong();
        FileIO io = table.io();
        table.expireSnapshots()
                .expireOlderThan(expiryNow - settings.snapshotAge().toMillis())
                .retainLast(1)
                .deleteWith(path -> {
                    io.deleteFile(path);
                    filesExpired.incrementAndGet();
                })
                .commit();
        table.refresh();
        int snapshotsExpired = snapshotsBefore - count(table.snapshots());
        long orphans = deleteOrphans(table, expiryNow - settings.orphanAge().toMillis());

        return new Report(
                definition.name(),
                partitions.partitionsIn(partitions.startsEndingBy(cutoff)),
                expired.size(),
                expired.stream().mapToLong(DataFile::recordCount).sum(),
                live.partitionsIn(toCompact),
                filesBefore,
                filesAfter,
                packed.deletedDataFiles().size(),
                packed.addedDataFiles().size(),
                manifestsBefore,
                manifestsAfter,
                snapshotsExpired,
                filesExpired.get(),
                orphans);
    }

    /**
     * Rewrites each partition starting at {@code starts} in the table's sort order, one period at a
     * time and on one writer, so that the sort stays within memory and each closed period becomes
     * one file (or one per target size). Each period is read at one snapshot, and exactly the files it
     * held there are replaced, with Iceberg's conflict validation from that snapshot: rows the job
     * appends meanwhile are in files this rewrite never touches, so none is lost. A period whose
     * files changed under it (another rewrite, retention) is left as it was, its new files deleted.
     */
    private void compact(Table table, TableDefinition definition, List<Long> starts, long unitMillis) {
        String time = definition.timeColumn();
        StringJoiner order = new StringJoiner(", ");
        for (SortField field : table.sortOrder().fields()) {
            order.add(table.schema().findColumnName(field.sourceId()));
        }
        // The Iceberg source would otherwise run one reader per file, all in this one process.
        WarehouseSql sql = WarehouseSql.open(
                settings.catalog(),
                Map.of("parallelism.default", "1", "table.exec.iceberg.infer-source-parallelism", "false"));
        for (long start : starts) {
            table.refresh();
            long base = table.currentSnapshot().snapshotId();
            Expression period = Expressions.and(
                    Expressions.greaterThanOrEqual(time, start * 1000),
                    Expressions.lessThan(time, (start + unitMillis) * 1000));
            Set<DataFile> replaced = new HashSet<>();
            try (CloseableIterable<FileScanTask> tasks =
                    table.newScan().useSnapshot(base).filter(period).planFiles()) {
                tasks.forEach(task -> replaced.add(task.file()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot plan the files of " + table.name(), e);
            }
            List<DataFile> written = sql.writeSorted(
                    table,
                    definition.schema(),
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
        table.refresh();
    }

    private static List<ManifestFile> dataManifests(Table table) {
        Snapshot current = table.currentSnapshot();
        return current == null ? List.of() : current.dataManifests(table.io());
    }

    /**
     * Whether each data manifest holds one value of the first partition field (the bucket of
     * {@code trace_index}, the hour or day of the others) and no two hold the same one. Each commit
     * of the job adds a manifest that spans partitions; regrouped, planning a scan of one bucket or
     * hour reads one manifest instead of all of them.
     */
    public static boolean manifestsClustered(Table table) {
        return clustered(dataManifests(table));
    }

    private static boolean clustered(List<ManifestFile> manifests) {
        Set<ByteBuffer> seen = new HashSet<>();
        for (ManifestFile manifest : manifests) {
            List<ManifestFile.PartitionFieldSummary> summaries = manifest.partitions();
            if (summaries == null || summaries.isEmpty()) {
                return false;
            }
            ByteBuffer lower = summaries.get(0).lowerBound();
            if (lower == null || !lower.equals(summaries.get(0).upperBound()) || !seen.add(lower)) {
                return false;
            }
        }
        return true;
    }

    /** Deletes files under the table's folder that no snapshot or metadata file references. */
    static long deleteOrphans(Table table, long olderThanMillis) {
        FileIO io = table.io();
        if (!(io instanceof SupportsPrefixOperations)) {
            return 0;
        }
        Set<String> reachable = new HashSet<>();
        ReachableFileUtil.metadataFileLocations(table, true).forEach(path -> reachable.add(normalize(path)));
        reachable.add(normalize(ReachableFileUtil.versionHintLocation(table)));
        ReachableFileUtil.statisticsFilesLocations(table).forEach(path -> reachable.add(normalize(path)));
        Set<String> manifestsSeen = new HashSet<>();
        for (Snapshot snapshot : table.snapshots()) {
            if (snapshot.manifestListLocation() != null) {
                reachable.add(normalize(snapshot.manifestListLocation()));
            }
            for (ManifestFile manifest : snapshot.allManifests(io)) {
                if (!manifestsSeen.add(manifest.path())) {
                    continue;
                }
                reachable.add(normalize(manifest.path()));
                try (ManifestReader<?> files = manifest.content() == ManifestContent.DATA
                        ? ManifestFiles.read(manifest, io, table.specs())
                        : ManifestFiles.readDeleteManifest(manifest, io, table.specs())) {
                    files.forEach(file -> reachable.add(normalize(file.location())));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read manifest " + manifest.path(), e);
                }
            }
        }
        long deleted = 0;
        try {
            for (FileInfo file : ((SupportsPrefixOperations) io).listPrefix(table.location())) {
                if (file.createdAtMillis() < olderThanMillis && !reachable.contains(normalize(file.location()))) {
                    io.deleteFile(file.location());
                    deleted++;
                }
            }
        } catch (RuntimeException e) {
            // The job commits meanwhile, and a commit attempt that loses a race removes its files: a
            // listing can meet a file that is gone. Orphans can wait for the next pass.
            LOG.warn(
                    "Orphan cleanup of {} stopped after {} files: the folder changed while it was listed ({});"
                            + " the next pass goes on",
                    table.name(),
                    deleted,
                    e.getMessage());
        }
        return deleted;
    }

    /** The same file may be named {@code file:/x}, {@code file:///x} or {@code /x}. */
    private static String normalize(String location) {
        return new Path(location).toUri().getPath();
    }

    private static int count(Iterable<?> items) {
        int n = 0;
        for (Object ignored : items) {
            n++;
        }
        return n;
    }

    /** A table's current data files grouped by the start of their time partition (hour or day). */
    record TimePartitions(Map<Long, List<DataFile>> files, Map<Long, Set<String>> partitionsByStart, long unitMillis) {

        static TimePartitions of(Table table, String timeColumn) {
            int sourceId = table.schema().findField(timeColumn).fieldId();
            int position = timeFieldPosition(table.spec(), sourceId);
            if (position < 0) {
                throw new IllegalStateException(
                        table.name() + " is not partitioned by " + timeColumn + ": it cannot be kept by partition");
            }
            long unit =
                    table.spec().fields().get(position).transform().toString().equals("hour")
                            ? HOUR_MILLIS
                            : DAY_MILLIS;
            Map<Long, List<DataFile>> files = new TreeMap<>();
            Map<Long, Set<String>> partitions = new TreeMap<>();
            try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
                for (FileScanTask task : tasks) {
                    // Files written before the spec evolved keep the spec they were written with,
                    // and count toward no partition: a closed period holding one is rewritten into
                    // the current spec.
                    DataFile file = task.file();
                    PartitionSpec spec = table.specs().get(file.specId());
                    long start = file.partition().get(timeFieldPosition(spec, sourceId), Integer.class) * unit;
                    files.computeIfAbsent(start, k -> new ArrayList<>()).add(file);
                    Set<String> inPeriod = partitions.computeIfAbsent(start, k -> new HashSet<>());
                    if (spec.specId() == table.spec().specId()) {
                        inPeriod.add(spec.partitionToPath(file.partition()));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list the files of " + table.name(), e);
            }
            return new TimePartitions(files, partitions, unit);
        }

        private static int timeFieldPosition(PartitionSpec spec, int sourceId) {
            List<PartitionField> fields = spec.fields();
            for (int i = 0; i < fields.size(); i++) {
                if (fields.get(i).sourceId() == sourceId) {
                    return i;
                }
            }
            return -1;
        }

        long floor(long millis) {
            return Math.floorDiv(millis, unitMillis) * unitMillis;
        }

        /** Starts of the periods that end by {@code cutoff}. */
        List<Long> startsEndingBy(long cutoff) {
            List<Long> out = new ArrayList<>();
            for (long start : files.keySet()) {
                if (start + unitMillis <= cutoff) {
                    out.add(start);
                }
            }
            return out;
        }

        List<DataFile> filesEndingBy(long cutoff) {
            List<DataFile> out = new ArrayList<>();
            startsEndingBy(cutoff).forEach(start -> out.addAll(files.get(start)));
            return out;
        }

        /** The partitions (hour or day and service, bucket and day) of the periods starting at {@code starts}. */
        int partitionsIn(List<Long> starts) {
            return starts.stream()
                    .mapToInt(start ->
                            partitionsByStart.getOrDefault(start, Set.of()).size())
                    .sum();
        }

        List<DataFile> filesStartingAt(long start) {
            return files.getOrDefault(start, List.of());
        }

        /**
         * Starts of closed periods with more files than partitions (some partition has two or more,
         * or a file has an older spec).
         */
        List<Long> startsToCompact(long closedBy) {
            List<Long> out = new ArrayList<>();
            files.forEach((start, list) -> {
                if (start + unitMillis <= closedBy
                        && list.size() > partitionsByStart.get(start).size()) {
                    out.add(start);
                }
            });
            return out;
        }
    }
}

package dev.tailsampling.iceberg.maintenance;

import dev.tailsampling.iceberg.AttributeIndexTable;
import dev.tailsampling.iceberg.IcebergCatalogConf;
import dev.tailsampling.iceberg.ServiceEdgesTable;
import dev.tailsampling.iceberg.ServiceMetricsTable;
import dev.tailsampling.iceberg.SpansTable;
import dev.tailsampling.iceberg.TableDefinition;
import dev.tailsampling.iceberg.TraceIndexTable;
import dev.tailsampling.iceberg.TraceSummariesTable;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.configuration.Configuration;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.actions.RewriteDataFilesActionResult;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.flink.actions.Actions;
import org.apache.iceberg.io.FileIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the warehouse small and fast, table by table: drops partitions past their retention
 * ({@link PartitionRetention}), rewrites closed partitions into few files in the table's sort order
 * ({@link SortedCompaction}), bin-packs the open ones with Iceberg's Flink rewrite action (safe
 * beside the job's commits), regroups manifests by partition with Iceberg's manifest rewrite,
 * expires old snapshots with Iceberg's snapshot expiry and deletes files that no snapshot references
 * ({@link OrphanFiles}). Every age counts from the injected clock.
 */
public final class WarehouseMaintenance {
    private static final Logger LOG = LoggerFactory.getLogger(WarehouseMaintenance.class);

    /** What to keep and when to act. */
    public record Settings(
            Map<String, Duration> retention, Duration closedAfter, Duration snapshotAge, Duration orphanAge) {

        /** From the {@link MaintenanceOptions} in {@code config}, their defaults where it has none. */
        public static Settings from(Configuration config) {
            return new Settings(
                    Map.of(
                            SpansTable.NAME, config.get(MaintenanceOptions.RETENTION_SPANS),
                            TraceIndexTable.NAME, config.get(MaintenanceOptions.RETENTION_TRACE_INDEX),
                            AttributeIndexTable.NAME, config.get(MaintenanceOptions.RETENTION_ATTRIBUTE_INDEX),
                            TraceSummariesTable.NAME, config.get(MaintenanceOptions.RETENTION_TRACE_SUMMARIES),
                            ServiceMetricsTable.NAME, config.get(MaintenanceOptions.RETENTION_SERVICE_METRICS),
                            ServiceEdgesTable.NAME, config.get(MaintenanceOptions.RETENTION_SERVICE_EDGES)),
                    config.get(MaintenanceOptions.CLOSED_AFTER),
                    config.get(MaintenanceOptions.SNAPSHOT_AGE),
                    config.get(MaintenanceOptions.ORPHAN_AGE));
        }
    }

    /** What one pass did to one table. */
    public record Report(
            String table,
            PartitionRetention.Dropped dropped,
            SortedCompaction.Compacted compacted,
            long openFilesBefore,
            long openFilesAfter,
            int manifestsBefore,
            int manifestsAfter,
            int snapshotsExpired,
            long filesExpired,
            long orphansDeleted,
            Duration took) {

        @Override
        public String toString() {
            return String.format(
                    "%s: retention dropped %d partitions (%,d files, %,d rows); compacted %d closed partitions"
                            + " (%,d files -> %,d) and bin-packed open ones (%,d files -> %,d); regrouped manifests"
                            + " (%d -> %d); expired %d snapshots (%,d files deleted); deleted %,d orphan files;"
                            + " %d s",
                    table,
                    dropped.partitions(),
                    dropped.files(),
                    dropped.rows(),
                    compacted.partitions(),
                    compacted.filesBefore(),
                    compacted.filesAfter(),
                    openFilesBefore,
                    openFilesAfter,
                    manifestsBefore,
                    manifestsAfter,
                    snapshotsExpired,
                    filesExpired,
                    orphansDeleted,
                    took.toSeconds());
        }
    }

    private final IcebergCatalogConf catalog;
    private final Settings settings;
    private final Clock clock;

    public WarehouseMaintenance(IcebergCatalogConf catalog, Settings settings, Clock clock) {
        this.catalog = catalog;
        this.settings = settings;
        this.clock = clock;
    }

    /** One pass over the tables that exist. */
    public List<Report> runOnce() {
        SortedCompaction compaction = new SortedCompaction(catalog);
        List<Report> reports = new ArrayList<>();
        for (TableDefinition definition : TableDefinition.all()) {
            Table table;
            try {
                table = catalog.loadTable(definition.name());
            } catch (NoSuchTableException notYet) {
                continue;
            }
            reports.add(maintain(table, definition, compaction));
        }
        return reports;
    }

    private Report maintain(Table table, TableDefinition definition, SortedCompaction compaction) {
        long started = System.nanoTime();
        Instant now = clock.instant();
        PartitionRetention.Dropped dropped = PartitionRetention.dropOlderThan(
                table, definition.timeColumn(), settings.retention().get(definition.name()), now);
        Instant closedBy = now.minus(settings.closedAfter());
        SortedCompaction.Compacted compacted = compaction.compactClosed(table, definition, closedBy);

        // Open partitions still receive appends: Iceberg's own rewrite action bin-packs their files,
        // replacing only the files it read, so a concurrent commit loses nothing.
        long openFrom = TimePartitions.of(table, definition.timeColumn()).floor(closedBy.toEpochMilli());
        RewriteDataFilesActionResult packed = new RewriteDataFilesActionResult(List.of(), List.of());
        try {
            packed = Actions.forTable(table)
                    .rewriteDataFiles()
                    // At its default of 4 MB per file, small files (an index commit writes a few KB
                    // a bucket) would fill a 128 MB task at 32 files and a partition keep many.
                    .splitOpenFileCost(1)
                    .filter(Expressions.greaterThanOrEqual(definition.timeColumn(), openFrom * 1000))
                    .execute();
        } catch (CommitFailedException e) {
            leftForNextPass(table, "bin-packing the open partitions", e);
        }
        table.refresh();
        List<ManifestFile> manifests = dataManifests(table);
        if (!clustered(manifests)) {
            try {
                table.rewriteManifests()
                        .clusterBy(file -> String.valueOf(file.partition().get(0, Object.class)))
                        .commit();
            } catch (CommitFailedException e) {
                leftForNextPass(table, "regrouping the manifests", e);
            }
            table.refresh();
        }
        int manifestsAfter = dataManifests(table).size();

        // Ages count from after the commits above.
        Instant expiryNow = clock.instant();
        int snapshotsBefore = count(table.snapshots());
        AtomicLong filesExpired = new AtomicLong();
        FileIO io = table.io();
        try {
            table.expireSnapshots()
                    .expireOlderThan(expiryNow.minus(settings.snapshotAge()).toEpochMilli())
                    .retainLast(1)
                    .deleteWith(path -> {
                        io.deleteFile(path);
                        filesExpired.incrementAndGet();
                    })
                    .commit();
        } catch (CommitFailedException e) {
            leftForNextPass(table, "expiring snapshots", e);
        }
        table.refresh();
        int snapshotsExpired = snapshotsBefore - count(table.snapshots());
        long orphans = OrphanFiles.deleteOlderThan(table, expiryNow.minus(settings.orphanAge()));

        return new Report(
                definition.name(),
                dropped,
                compacted,
                packed.deletedDataFiles().size(),
                packed.addedDataFiles().size(),
                manifests.size(),
                manifestsAfter,
                snapshotsExpired,
                filesExpired.get(),
                orphans,
                Duration.ofNanos(System.nanoTime() - started));
    }

    /**
     * The job's commits won every retry of this one (Iceberg retries a commit that meets another a
     * few times); what it would have done waits for the next pass, and nothing was replaced.
     */
    private static void leftForNextPass(Table table, String step, CommitFailedException e) {
        LOG.warn(
                "Left {} of {} for the next pass: the job's commits kept winning ({})",
                step,
                table.name(),
                e.getMessage());
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

    private static int count(Iterable<?> items) {
        int n = 0;
        for (Object ignored : items) {
            n++;
        }
        return n;
    }
}

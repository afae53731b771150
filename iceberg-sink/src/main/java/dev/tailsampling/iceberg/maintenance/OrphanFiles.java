package dev.tailsampling.iceberg.maintenance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.apache.hadoop.fs.Path;
import org.apache.iceberg.ManifestContent;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ManifestReader;
import org.apache.iceberg.ReachableFileUtil;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.SupportsPrefixOperations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the files under a table's folder that no snapshot or metadata file references. Iceberg
 * offers this as a Spark action and as a task of its streaming Flink maintenance (which needs a lock
 * service and runs until stopped); neither fits a command that runs once, so this lists the folder
 * through the table's own file IO and keeps what Iceberg's {@code ReachableFileUtil} and manifests
 * reach.
 */
final class OrphanFiles {
    private static final Logger LOG = LoggerFactory.getLogger(OrphanFiles.class);

    private OrphanFiles() {}

    /** Deletes the unreferenced files created before {@code olderThan}; returns how many. */
    static long deleteOlderThan(Table table, Instant olderThan) {
        FileIO io = table.io();
        if (!(io instanceof SupportsPrefixOperations)) {
            return 0;
        }
        Set<String> reachable = reachable(table, io);
        long deleted = 0;
        try {
            for (FileInfo file : ((SupportsPrefixOperations) io).listPrefix(table.location())) {
                if (file.createdAtMillis() < olderThan.toEpochMilli()
                        && !reachable.contains(normalize(file.location()))) {
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

    private static Set<String> reachable(Table table, FileIO io) {
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
        return reachable;
    }

    /** The same file may be named {@code file:/x}, {@code file:///x} or {@code /x}. */
    private static String normalize(String location) {
        return new Path(location).toUri().getPath();
    }
}

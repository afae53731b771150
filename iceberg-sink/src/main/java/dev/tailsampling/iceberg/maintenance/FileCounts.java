package dev.tailsampling.iceberg.maintenance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.util.PropertyUtil;

/**
 * How a table's current data files spread over its partitions: many files in one partition, or
 * many files far below the target size, say that compaction is behind.
 *
 * @param smallBelowBytes a quarter of the table's target file size: files under it count as small
 */
public record FileCounts(
        String table,
        int partitions,
        long files,
        long bytes,
        int mostFilesInAPartition,
        long smallFiles,
        long smallBelowBytes) {

    /** The counts of {@code table}'s current snapshot. */
    public static FileCounts of(Table table) {
        long small = PropertyUtil.propertyAsLong(
                        table.properties(),
                        TableProperties.WRITE_TARGET_FILE_SIZE_BYTES,
                        TableProperties.WRITE_TARGET_FILE_SIZE_BYTES_DEFAULT)
                / 4;
        Map<String, Integer> perPartition = new HashMap<>();
        long files = 0;
        long bytes = 0;
        long smallFiles = 0;
        try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
            for (FileScanTask task : tasks) {
                DataFile file = task.file();
                perPartition.merge(table.specs().get(file.specId()).partitionToPath(file.partition()), 1, Integer::sum);
                files++;
                bytes += file.fileSizeInBytes();
                if (file.fileSizeInBytes() < small) {
                    smallFiles++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the files of " + table.name(), e);
        }
        int most =
                perPartition.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        return new FileCounts(table.name(), perPartition.size(), files, bytes, most, smallFiles, small);
    }

    @Override
    public String toString() {
        return String.format(
                "%s: %,d data files in %,d partitions, %,d bytes (%,d a file); at most %d files in one partition;"
                        + " %,d files under %,d bytes",
                table,
                files,
                partitions,
                bytes,
                files == 0 ? 0 : bytes / files,
                mostFilesInAPartition,
                smallFiles,
                smallBelowBytes);
    }
}

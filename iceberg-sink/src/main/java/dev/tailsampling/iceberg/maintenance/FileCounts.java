package dev.tailsampling.iceberg.maintenance;

import dev.tailsampling.iceberg.TableSizes;
import java.util.HashMap;
import java.util.Map;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;

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
        long small = TableSizes.targetFileBytes(table) / 4;
        Map<String, Integer> perPartition = new HashMap<>();
        long files = 0;
        long bytes = 0;
        long smallFiles = 0;
        for (DataFile file : ScannedFiles.of(table, table.newScan())) {
            perPartition.merge(ScannedFiles.partitionPath(table, file), 1, Integer::sum);
            files++;
            bytes += file.fileSizeInBytes();
            if (file.fileSizeInBytes() < small) {
                smallFiles++;
            }
        }
        int most =
                perPartition.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        return new FileCounts(table.name(), perPartition.size(), files, bytes, most, smallFiles, small);
    }

    @Override
    public String toString() {
        return String.format(
                "%s: %s in %s, %,d bytes (%,d a file); %,d in the fullest partition; %,d files under %,d bytes",
                table,
                counted(files, "data file"),
                counted(partitions, "partition"),
                bytes,
                files == 0 ? 0 : bytes / files,
                mostFilesInAPartition,
                smallFiles,
                smallBelowBytes);
    }

    private static String counted(long count, String noun) {
        return String.format("%,d %s%s", count, noun, count == 1 ? "" : "s");
    }
}

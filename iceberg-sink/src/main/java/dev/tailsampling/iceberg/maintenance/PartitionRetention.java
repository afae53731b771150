package dev.tailsampling.iceberg.maintenance;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expressions;

/**
 * Drops a table's time partitions once they are older than its retention: whole partitions, so the
 * cutoff falls on a partition boundary and the delete is Iceberg's metadata-only delete by row
 * filter, which rewrites no file. Iceberg has snapshot expiry but no retention of data by age.
 */
public final class PartitionRetention {
    /** What one pass dropped. */
    public record Dropped(int partitions, long files, long rows) {}

    private PartitionRetention() {}

    static Dropped dropOlderThan(Table table, String timeColumn, Duration retention, Instant now) {
        TimePartitions partitions = TimePartitions.of(table, timeColumn);
        long cutoff = partitions.floor(now.toEpochMilli() - retention.toMillis());
        List<DataFile> expired = partitions.filesEndingBy(cutoff);
        if (!expired.isEmpty()) {
            table.newDelete()
                    .deleteFromRowFilter(Expressions.lessThan(timeColumn, cutoff * 1000))
                    .commit();
        }
        return new Dropped(
                partitions.partitionsIn(partitions.startsEndingBy(cutoff)),
                expired.size(),
                expired.stream().mapToLong(DataFile::recordCount).sum());
    }
}

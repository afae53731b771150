package dev.tailsampling.iceberg.maintenance;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Table;

/** A table's current data files grouped by the start of their time partition (hour or day). */
record TimePartitions(Map<Long, List<DataFile>> files, Map<Long, Set<String>> partitionsByStart, long unitMillis) {
    private static final long HOUR_MILLIS = 3_600_000L;
    private static final long DAY_MILLIS = 24 * HOUR_MILLIS;

    static TimePartitions of(Table table, String timeColumn) {
        int sourceId = table.schema().findField(timeColumn).fieldId();
        int position = timeFieldPosition(table.spec(), sourceId);
        if (position < 0) {
            throw new IllegalStateException(
                    table.name() + " is not partitioned by " + timeColumn + ": it cannot be kept by partition");
        }
        long unit =
                table.spec().fields().get(position).transform().toString().equals("hour") ? HOUR_MILLIS : DAY_MILLIS;
        Map<Long, List<DataFile>> files = new TreeMap<>();
        Map<Long, Set<String>> partitions = new TreeMap<>();
        for (DataFile file : ScannedFiles.of(table, table.newScan())) {
            // Files written before the spec evolved keep the spec they were written with, and count
            // toward no partition: a closed period holding one is rewritten into the current spec.
            PartitionSpec spec = table.specs().get(file.specId());
            long start = file.partition().get(timeFieldPosition(spec, sourceId), Integer.class) * unit;
            files.computeIfAbsent(start, k -> new ArrayList<>()).add(file);
            Set<String> inPeriod = partitions.computeIfAbsent(start, k -> new HashSet<>());
            if (spec.specId() == table.spec().specId()) {
                inPeriod.add(ScannedFiles.partitionPath(table, file));
            }
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
                .mapToInt(
                        start -> partitionsByStart.getOrDefault(start, Set.of()).size())
                .sum();
    }

    int filesStartingAt(List<Long> starts) {
        return starts.stream()
                .mapToInt(start -> files.getOrDefault(start, List.of()).size())
                .sum();
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

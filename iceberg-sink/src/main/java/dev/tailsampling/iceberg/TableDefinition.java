package dev.tailsampling.iceberg;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SortOrder;

/**
 * Everything a table is created with: its columns, partitions, sort order and properties, and how
 * long its data is kept (the partition column retention deletes by). Defined once here; a table
 * made by an older version gains the columns, properties and partition fields it lacks, nothing
 * else changes.
 */
public record TableDefinition(
        String name,
        Schema schema,
        PartitionSpec spec,
        SortOrder sortOrder,
        Map<String, String> properties,
        String timeColumn) {

    /**
     * The properties every table shares: format v2, Parquet, zstd, and rows shuffled to writers by
     * partition, so that each partition gets one file per commit instead of one per writer.
     */
    static final Map<String, String> COMMON = Map.of(
            "format-version", "2",
            "write.distribution-mode", "hash",
            "write.format.default", "parquet",
            "write.parquet.compression-codec", "zstd");

    /** The common properties plus {@code extra}. */
    static Map<String, String> properties(Map<String, String> extra) {
        Map<String, String> all = new TreeMap<>(COMMON);
        all.putAll(extra);
        return Map.copyOf(all);
    }

    /**
     * The tables of the warehouse, in the order a lookup reads them; {@code attribute_index} exists
     * only when the job indexes attributes.
     */
    public static List<TableDefinition> all() {
        return List.of(
                AttributeIndexTable.TABLE,
                TraceIndexTable.TABLE,
                SpansTable.TABLE,
                TraceSummariesTable.TABLE,
                ServiceMetricsTable.TABLE,
                ServiceEdgesTable.TABLE);
    }
}

package dev.tailsampling.iceberg;

import static dev.tailsampling.iceberg.Columns.column;
import static dev.tailsampling.iceberg.Rows.millis;
import static dev.tailsampling.iceberg.Rows.str;
import static org.apache.iceberg.types.Types.NestedField.required;

import dev.tailsampling.sampling.summary.AttributeLocation;
import java.util.Map;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.types.Types;

/**
 * The {@code attribute_index} table, written only for the keys given to {@code --index.attributes}:
 * for each value of those keys in a kept trace, the trace and the hours and services of the spans
 * that carry it. Partitioned by key and {@code bucket(16, value)}, so a lookup by key and value reads
 * one bucket, and by day for retention; sorted by key, value and trace id, so a compacted bucket's
 * row groups have narrow value bounds.
 */
public final class AttributeIndexTable {
    public static final String NAME = "attribute_index";
    public static final int BUCKETS = 16;

    public static final Columns<AttributeLocation> COLUMNS = Columns.of(
            column(required(1, "attribute_key", Types.StringType.get()), l -> str(l.key)),
            column(required(2, "attribute_value", Types.StringType.get()), l -> str(l.value)),
            column(required(3, "trace_id", Types.StringType.get()), l -> str(l.traceId)),
            column(
                    required(
                            4,
                            "span_hour",
                            Types.TimestampType.withZone(),
                            "the hour the spans with the value started in: their spans partition"),
                    l -> millis(l.hourMillis)),
            column(required(5, "service_name", Types.StringType.get()), l -> str(l.serviceName)));

    public static final Schema SCHEMA = COLUMNS.schema();

    public static final TableDefinition TABLE = new TableDefinition(
            NAME,
            SCHEMA,
            PartitionSpec.builderFor(SCHEMA)
                    .identity("attribute_key")
                    .bucket("attribute_value", BUCKETS)
                    .day("span_hour")
                    .build(),
            SortOrder.builderFor(SCHEMA)
                    .asc("attribute_key")
                    .asc("attribute_value")
                    .asc("trace_id")
                    .build(),
            TableDefinition.properties(Map.of(
                    "write.metadata.metrics.column.attribute_value",
                    "full",
                    "write.parquet.bloom-filter-enabled.column.attribute_value",
                    "true",
                    "write.parquet.row-group-size-bytes",
                    String.valueOf(1L << 20),
                    "write.target-file-size-bytes",
                    String.valueOf(64L << 20))),
            "span_hour");

    private AttributeIndexTable() {}
}

package dev.tailsampling.iceberg;

import static dev.tailsampling.iceberg.Columns.column;
import static dev.tailsampling.iceberg.Rows.millis;
import static dev.tailsampling.iceberg.Rows.str;
import static org.apache.iceberg.types.Types.NestedField.optional;
import static org.apache.iceberg.types.Types.NestedField.required;

import dev.tailsampling.sampling.metrics.OperationMinute;
import java.util.Map;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.types.Types;

/**
 * The {@code service_metrics} table: per service, operation, span kind and minute, every span seen
 * before sampling in the job; partitioned by day and service. Quantiles come from a DDSketch (1 % relative accuracy) stored beside
 * them in its protobuf format, so minutes can be merged into longer windows. Behind a head sampler
 * the counts are of the spans it sent, and the estimated counts and the sketch weight each span by
 * 1 / its head probability, so they describe all requests. A minute may have more than one
 * row when spans arrive after it was written: sum the counts, merge the sketches.
 */
public final class ServiceMetricsTable {
    public static final String NAME = "service_metrics";
    private static final double NANOS_PER_MS = 1e6;

    public static final Columns<OperationMinute> COLUMNS = Columns.of(
            column(required(1, "service_name", Types.StringType.get()), m -> str(m.serviceName)),
            column(required(2, "operation_name", Types.StringType.get()), m -> str(m.operationName)),
            column(required(3, "span_kind", Types.StringType.get()), m -> str(m.spanKind)),
            column(
                    required(4, "window_start", Types.TimestampType.withZone(), "start of the minute"),
                    m -> millis(m.minuteMillis)),
            column(required(5, "request_count", Types.LongType.get(), "spans, before sampling"), m -> m.requestCount),
            column(required(6, "error_count", Types.LongType.get()), m -> m.errorCount),
            column(
                    required(7, "duration_p50_ms", Types.DoubleType.get()),
                    m -> Rows.quantileMillis(m.durations(), 0.5)),
            column(
                    required(8, "duration_p90_ms", Types.DoubleType.get()),
                    m -> Rows.quantileMillis(m.durations(), 0.9)),
            column(
                    required(9, "duration_p95_ms", Types.DoubleType.get()),
                    m -> Rows.quantileMillis(m.durations(), 0.95)),
            column(
                    required(10, "duration_p99_ms", Types.DoubleType.get()),
                    m -> Rows.quantileMillis(m.durations(), 0.99)),
            column(required(11, "duration_max_ms", Types.DoubleType.get(), "exact"), m -> m.maxNs / NANOS_PER_MS),
            column(
                    optional(
                            12,
                            "duration_sketch",
                            Types.BinaryType.get(),
                            "DDSketch protobuf encoding of the durations in nanoseconds, each weighted 1 / its head"
                                    + " probability"),
                    m -> OperationMinute.protobuf(m.durations())),
            column(
                    optional(
                            13,
                            "estimated_request_count",
                            Types.DoubleType.get(),
                            "requests the services sent: each span counted 1 / its head sampler's probability"),
                    m -> m.estimatedRequests),
            column(
                    optional(14, "estimated_error_count", Types.DoubleType.get(), "errors, weighted alike"),
                    m -> m.estimatedErrors));

    public static final Schema SCHEMA = COLUMNS.schema();

    public static final TableDefinition TABLE = new TableDefinition(
            NAME,
            SCHEMA,
            PartitionSpec.builderFor(SCHEMA)
                    .day("window_start")
                    .identity("service_name")
                    .build(),
            SortOrder.builderFor(SCHEMA)
                    .asc("service_name")
                    .asc("operation_name")
                    .asc("window_start")
                    .build(),
            TableDefinition.properties(Map.of()),
            "window_start");

    private ServiceMetricsTable() {}
}

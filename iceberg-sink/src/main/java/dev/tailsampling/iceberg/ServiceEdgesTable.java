package dev.tailsampling.iceberg;

import static dev.tailsampling.iceberg.Columns.column;
import static dev.tailsampling.iceberg.Rows.millis;
import static dev.tailsampling.iceberg.Rows.str;
import static org.apache.iceberg.types.Types.NestedField.optional;
import static org.apache.iceberg.types.Types.NestedField.required;

import dev.tailsampling.sampling.metrics.EdgeMinute;
import dev.tailsampling.sampling.metrics.OperationMinute;
import java.util.Map;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.types.Types;

/**
 * The {@code service_edges} table, the service graph: per caller service and operation, callee
 * service and operation, and minute, the calls in kept traces, each weighted by its trace's
 * adjusted count so that the estimated counts and the sketch describe every call made. Partitioned
 * by day and caller service. A minute may have more than one row when traces are decided after it
 * was written: sum the counts, merge the sketches.
 */
public final class ServiceEdgesTable {
    public static final String NAME = "service_edges";
    private static final double NANOS_PER_MS = 1e6;

    public static final Columns<EdgeMinute> COLUMNS = Columns.of(
            column(required(1, "caller_service", Types.StringType.get()), m -> str(m.callerService)),
            column(
                    required(2, "caller_operation", Types.StringType.get(), "the calling span's operation"),
                    m -> str(m.callerOperation)),
            column(required(3, "callee_service", Types.StringType.get()), m -> str(m.calleeService)),
            column(
                    required(4, "callee_operation", Types.StringType.get(), "the called span's operation"),
                    m -> str(m.calleeOperation)),
            column(
                    required(
                            5,
                            "window_start",
                            Types.TimestampType.withZone(),
                            "start of the minute the calls began in"),
                    m -> millis(m.minuteMillis)),
            column(required(6, "kept_calls", Types.LongType.get(), "calls in kept traces"), m -> m.keptCalls),
            column(
                    required(
                            7,
                            "estimated_calls",
                            Types.DoubleType.get(),
                            "calls made, kept or not: SUM of each kept call's adjusted count"),
                    m -> m.estimatedCalls),
            column(
                    required(
                            8,
                            "estimated_errors",
                            Types.DoubleType.get(),
                            "failed calls (the callee's span), weighted alike"),
                    m -> m.estimatedErrors),
            column(
                    required(9, "duration_p50_ms", Types.DoubleType.get()),
                    m -> Rows.quantileMillis(m.durations(), 0.5)),
            column(
                    required(10, "duration_p95_ms", Types.DoubleType.get()),
                    m -> Rows.quantileMillis(m.durations(), 0.95)),
            column(
                    required(11, "duration_p99_ms", Types.DoubleType.get()),
                    m -> Rows.quantileMillis(m.durations(), 0.99)),
            column(
                    required(12, "duration_max_ms", Types.DoubleType.get(), "of the kept calls"),
                    m -> m.maxNs / NANOS_PER_MS),
            column(
                    optional(
                            13,
                            "duration_sketch",
                            Types.BinaryType.get(),
                            "DDSketch protobuf encoding of the callee spans' durations in nanoseconds, each weighted"
                                    + " by its trace's adjusted count"),
                    m -> OperationMinute.protobuf(m.durations())));

    public static final Schema SCHEMA = COLUMNS.schema();

    public static final TableDefinition TABLE = new TableDefinition(
            NAME,
            SCHEMA,
            PartitionSpec.builderFor(SCHEMA)
                    .day("window_start")
                    .identity("caller_service")
                    .build(),
            SortOrder.builderFor(SCHEMA)
                    .asc("caller_service")
                    .asc("callee_service")
                    .asc("window_start")
                    .build(),
            TableDefinition.properties(Map.of()),
            "window_start");

    private ServiceEdgesTable() {}
}

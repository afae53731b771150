package dev.tailsampling.iceberg;

import static dev.tailsampling.iceberg.Columns.column;
import static dev.tailsampling.iceberg.Rows.array;
import static dev.tailsampling.iceberg.Rows.str;
import static dev.tailsampling.iceberg.Rows.timestamp;
import static org.apache.iceberg.types.Types.NestedField.optional;
import static org.apache.iceberg.types.Types.NestedField.required;

import dev.tailsampling.sampling.summary.KeptTrace;
import java.util.Map;
import org.apache.flink.table.data.GenericRowData;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.types.Types;

/**
 * The {@code trace_summaries} table: one row per kept trace, kept long after its spans (90 days by
 * default). Partitioned by the hour the trace started and its root service, so that a question
 * about one service's traces over a time range opens only that service's files; sorted by root
 * service and start.
 */
public final class TraceSummariesTable {
    public static final String NAME = "trace_summaries";

    public static final Columns<KeptTrace> COLUMNS = Columns.of(
            column(required(1, "trace_id", Types.StringType.get()), t -> str(t.traceId)),
            column(
                    required(
                            2,
                            "root_service_name",
                            Types.StringType.get(),
                            "the root span's service, or the earliest span's if the root is missing"),
                    t -> str(t.rootServiceName)),
            column(optional(3, "root_operation_name", Types.StringType.get()), t -> str(t.rootOperationName)),
            column(
                    required(4, "start_time", Types.TimestampType.withZone(), "earliest span start"),
                    t -> timestamp(t.startTimeUnixNano)),
            column(required(5, "duration_ns", Types.LongType.get(), "earliest start to latest end"), t -> t.durationNs),
            column(required(6, "span_count", Types.IntegerType.get()), t -> t.spanCount),
            column(required(7, "error_count", Types.IntegerType.get()), t -> t.errorCount),
            column(
                    optional(
                            8,
                            "services",
                            Types.ListType.ofOptional(101, Types.StringType.get()),
                            "every service with a span in the trace, sorted"),
                    t -> array(t.services, Rows::str)),
            column(
                    optional(
                            9,
                            "critical_path",
                            Types.ListType.ofOptional(
                                    102,
                                    Types.StructType.of(
                                            optional(104, "service_name", Types.StringType.get()),
                                            optional(105, "operation_name", Types.StringType.get()),
                                            optional(
                                                    119,
                                                    "start_offset_us",
                                                    Types.LongType.get(),
                                                    "microseconds from the trace's start to the span's"),
                                            optional(120, "duration_us", Types.LongType.get()),
                                            optional(
                                                    121,
                                                    "self_time_us",
                                                    Types.LongType.get(),
                                                    "time of the span that no step below it covers"))),
                            "the spans that set the trace's duration, in order; self times add up to it (to the"
                                    + " microsecond a step). No span ids: a step's span is found in spans by"
                                    + " trace, service, operation and start"),
                    // Microseconds and no span ids: the path is most of a summary's bytes,
                    // and nanosecond offsets and random ids are what compresses worst.
                    t -> array(
                            t.criticalPath,
                            step -> GenericRowData.of(
                                    str(step.serviceName),
                                    str(step.operationName),
                                    step.startOffsetNs / 1_000,
                                    step.durationNs / 1_000,
                                    step.selfTimeNs / 1_000))),
            column(
                    optional(
                            10,
                            "error_spans",
                            Types.ListType.ofOptional(
                                    109,
                                    Types.StructType.of(
                                            optional(110, "span_id", Types.StringType.get()),
                                            optional(111, "service_name", Types.StringType.get()),
                                            optional(112, "operation_name", Types.StringType.get()),
                                            optional(113, "status_message", Types.StringType.get()),
                                            optional(114, "http_status_code", Types.IntegerType.get())))),
                    t -> array(
                            t.errorSpans,
                            error -> GenericRowData.of(
                                    str(error.spanId),
                                    str(error.serviceName),
                                    str(error.operationName),
                                    str(error.statusMessage),
                                    error.httpStatusCode))),
            column(
                    optional(11, "sampling_policy", Types.StringType.get(), "policy that kept the trace"),
                    t -> str(t.samplingPolicy)),
            column(
                    optional(
                            12,
                            "sampling_trigger",
                            Types.StringType.get(),
                            "inactivity, max_duration, max_spans or max_bytes"),
                    t -> str(t.samplingTrigger)),
            column(required(13, "sample_probability", Types.DoubleType.get()), t -> t.sampleProbability),
            column(
                    required(
                            14,
                            "adjusted_count",
                            Types.DoubleType.get(),
                            "1 / sample_probability: SUM(adjusted_count) estimates all traces"),
                    t -> t.adjustedCount),
            column(
                    required(
                            15,
                            "trace_incomplete",
                            Types.BooleanType.get(),
                            "no root span had arrived when the trace was decided"),
                    t -> t.traceIncomplete),
            column(
                    optional(
                            16,
                            "follows_from",
                            Types.ListType.ofOptional(
                                    115,
                                    Types.StructType.of(
                                            optional(116, "span_id", Types.StringType.get()),
                                            optional(117, "linked_trace_id", Types.StringType.get()),
                                            optional(118, "linked_span_id", Types.StringType.get()))),
                            "links by which the trace's spans follow from spans of other traces"),
                    t -> array(
                            t.followsFrom,
                            link -> GenericRowData.of(
                                    str(link.spanId), str(link.linkedTraceId), str(link.linkedSpanId)))),
            column(
                    optional(
                            17,
                            "summary_note",
                            Types.StringType.get(),
                            "what this summary lacks and why (a critical path cut at its depth cap); null when whole"),
                    t -> str(t.summaryNote)));

    public static final Schema SCHEMA = COLUMNS.schema();

    public static final TableDefinition TABLE = new TableDefinition(
            NAME,
            SCHEMA,
            PartitionSpec.builderFor(SCHEMA)
                    .hour("start_time")
                    .identity("root_service_name")
                    .build(),
            SortOrder.builderFor(SCHEMA)
                    .asc("root_service_name")
                    .asc("start_time")
                    .build(),
            TableDefinition.properties(Map.of(
                    "write.parquet.bloom-filter-enabled.column.trace_id", "true",
                    // Trace ids are unique here, so the column is never dictionary
                    // encoded and always gets its filter: sized for a row group's
                    // some 10,000 summaries, not Parquet's 1 MB maximum, which made
                    // a small file 99 % empty filter.
                    "write.parquet.bloom-filter-ndv.column.trace_id", "10000",
                    "write.parquet.bloom-filter-fpp.column.trace_id", "0.01",
                    "write.parquet.row-group-size-bytes", String.valueOf(4L << 20),
                    "write.target-file-size-bytes", String.valueOf(128L << 20))),
            "start_time");

    private TraceSummariesTable() {}
}

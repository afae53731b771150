package dev.tailsampling.iceberg;

import static dev.tailsampling.iceberg.Columns.column;
import static dev.tailsampling.iceberg.Rows.array;
import static dev.tailsampling.iceberg.Rows.str;
import static dev.tailsampling.iceberg.Rows.timestamp;
import static org.apache.iceberg.types.Types.NestedField.optional;
import static org.apache.iceberg.types.Types.NestedField.required;

import dev.tailsampling.sampling.Span;
import java.util.Map;
import org.apache.flink.table.data.GenericRowData;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.types.Types;

/**
 * The {@code spans} table: one row per kept span, partitioned by the hour of its start and its
 * service. A trace-id lookup learns the (hour, service) partitions from {@code trace_index}; inside
 * one, files compacted in trace-id order have narrow trace-id bounds, and a Parquet bloom filter on {@code trace_id} lets readers
 * skip row groups that cannot hold the trace. Columns are only ever added, never renamed or
 * dropped, so readers of old snapshots keep working.
 */
public final class SpansTable {
    public static final String NAME = "spans";

    public static final Columns<Span> COLUMNS = Columns.of(
            column(required(1, "trace_id", Types.StringType.get(), "32 lowercase hex characters"), s -> str(s.traceId)),
            column(required(2, "span_id", Types.StringType.get(), "16 lowercase hex characters"), s -> str(s.spanId)),
            column(
                    optional(3, "parent_span_id", Types.StringType.get(), "empty for a root span"),
                    s -> str(s.parentSpanId)),
            column(optional(4, "trace_state", Types.StringType.get(), "W3C tracestate"), s -> str(s.traceState)),
            column(
                    required(5, "start_time", Types.TimestampType.withZone(), "span start, microseconds"),
                    s -> timestamp(s.startTimeUnixNano)),
            column(required(6, "start_time_unix_nano", Types.LongType.get()), s -> s.startTimeUnixNano),
            column(required(7, "end_time_unix_nano", Types.LongType.get()), s -> s.endTimeUnixNano),
            column(required(8, "duration_ns", Types.LongType.get()), s -> s.durationNs),
            column(
                    required(9, "service_name", Types.StringType.get(), "resource service.name"),
                    s -> str(s.serviceName)),
            column(optional(10, "operation_name", Types.StringType.get(), "span name"), s -> str(s.operationName)),
            column(
                    optional(
                            11,
                            "span_kind",
                            Types.StringType.get(),
                            "CLIENT, SERVER, INTERNAL, PRODUCER, CONSUMER or UNSPECIFIED"),
                    s -> str(s.spanKind)),
            column(optional(12, "status_code", Types.StringType.get(), "UNSET, OK or ERROR"), s -> str(s.statusCode)),
            column(optional(13, "status_message", Types.StringType.get()), s -> str(s.statusMessage)),
            column(optional(14, "http_method", Types.StringType.get()), s -> str(s.httpMethod)),
            column(optional(15, "http_status_code", Types.IntegerType.get()), s -> s.httpStatusCode),
            column(optional(16, "http_route", Types.StringType.get()), s -> str(s.httpRoute)),
            column(optional(17, "url_path", Types.StringType.get()), s -> str(s.urlPath)),
            column(optional(18, "db_system", Types.StringType.get()), s -> str(s.dbSystem)),
            column(optional(19, "db_statement", Types.StringType.get()), s -> str(s.dbStatement)),
            column(optional(20, "rpc_service", Types.StringType.get()), s -> str(s.rpcService)),
            column(optional(21, "rpc_method", Types.StringType.get()), s -> str(s.rpcMethod)),
            column(optional(22, "messaging_system", Types.StringType.get()), s -> str(s.messagingSystem)),
            column(optional(23, "peer_service", Types.StringType.get()), s -> str(s.peerService)),
            column(optional(24, "service_version", Types.StringType.get()), s -> str(s.serviceVersion)),
            column(optional(25, "deployment_environment", Types.StringType.get()), s -> str(s.deploymentEnvironment)),
            column(optional(26, "host_name", Types.StringType.get()), s -> str(s.hostName)),
            column(
                    required(27, "error", Types.BooleanType.get(), "status ERROR, error=true or HTTP status >= 500"),
                    s -> s.error),
            column(
                    optional(
                            28,
                            "resource_attributes",
                            Types.MapType.ofOptional(1003, 1004, Types.StringType.get(), Types.StringType.get())),
                    s -> Rows.map(s.resourceAttributes)),
            column(
                    optional(
                            29,
                            "attributes",
                            Types.MapType.ofOptional(1001, 1002, Types.StringType.get(), Types.StringType.get()),
                            "values as strings, arrays as JSON"),
                    s -> Rows.map(s.attributes)),
            column(optional(30, "scope_name", Types.StringType.get()), s -> str(s.scopeName)),
            column(optional(31, "scope_version", Types.StringType.get()), s -> str(s.scopeVersion)),
            column(
                    optional(
                            32,
                            "events",
                            Types.ListType.ofOptional(
                                    1005,
                                    Types.StructType.of(
                                            optional(1006, "time_unix_nano", Types.LongType.get()),
                                            optional(1007, "name", Types.StringType.get()),
                                            optional(
                                                    1008,
                                                    "attributes",
                                                    Types.MapType.ofOptional(
                                                            1009,
                                                            1010,
                                                            Types.StringType.get(),
                                                            Types.StringType.get()))))),
                    s -> array(
                            s.events,
                            event -> GenericRowData.of(
                                    event.timeUnixNano, str(event.name), Rows.map(event.attributes)))),
            column(
                    optional(
                            33,
                            "links",
                            Types.ListType.ofOptional(
                                    1011,
                                    Types.StructType.of(
                                            optional(1012, "trace_id", Types.StringType.get()),
                                            optional(1013, "span_id", Types.StringType.get()),
                                            optional(1014, "trace_state", Types.StringType.get()),
                                            optional(
                                                    1015,
                                                    "relationship",
                                                    Types.StringType.get(),
                                                    "child_of or follows_from"),
                                            optional(
                                                    1016,
                                                    "attributes",
                                                    Types.MapType.ofOptional(
                                                            1017,
                                                            1018,
                                                            Types.StringType.get(),
                                                            Types.StringType.get()))))),
                    s -> array(
                            s.links,
                            link -> GenericRowData.of(
                                    str(link.traceId),
                                    str(link.spanId),
                                    str(link.traceState),
                                    str(link.relationship),
                                    Rows.map(link.attributes)))),
            column(
                    optional(34, "sampling_policy", Types.StringType.get(), "policy that kept the trace"),
                    s -> str(s.samplingPolicy)),
            column(
                    required(
                            35,
                            "sample_probability",
                            Types.DoubleType.get(),
                            "probability the trace was kept with, head times tail"),
                    s -> s.sampleProbability),
            column(
                    required(
                            36,
                            "adjusted_count",
                            Types.DoubleType.get(),
                            "1 / sample_probability: SUM(adjusted_count) estimates the unsampled count"),
                    s -> s.adjustedCount),
            column(
                    optional(
                            37,
                            "sampling_trigger",
                            Types.StringType.get(),
                            "inactivity, max_duration, max_spans, max_bytes or late"),
                    s -> str(s.samplingTrigger)),
            column(
                    optional(
                            38,
                            "trace_incomplete",
                            Types.BooleanType.get(),
                            "the trace had no root span when it was decided"),
                    s -> s.traceIncomplete));

    public static final Schema SCHEMA = COLUMNS.schema();

    public static final PartitionSpec SPEC = PartitionSpec.builderFor(SCHEMA)
            .hour("start_time")
            .identity("service_name")
            .build();

    public static final TableDefinition TABLE = new TableDefinition(
            NAME,
            SCHEMA,
            SPEC,
            SortOrder.builderFor(SCHEMA).asc("trace_id").asc("start_time").build(),
            TableDefinition.properties(Map.of(
                    // Readers skip a row group whose filter says the trace is not in it.
                    "write.parquet.bloom-filter-enabled.column.trace_id", "true",
                    "write.parquet.bloom-filter-fpp.column.trace_id", "0.01",
                    // Whole ids as file bounds: truncated ones would prune less.
                    "write.metadata.metrics.column.trace_id", "full",
                    // Compaction's target: an hour of spans in a few files.
                    "write.target-file-size-bytes", String.valueOf(128L << 20),
                    // A lookup reads a whole row group: small ones (some 20,000 spans)
                    // keep it cheap; sorted files prune them by trace-id bounds.
                    "write.parquet.row-group-size-bytes", String.valueOf(1L << 20))),
            "start_time");

    private SpansTable() {}
}

package dev.tailsampling.iceberg;

import dev.tailsampling.sampling.DecisionTrigger;
import dev.tailsampling.sampling.Span;
import dev.tailsampling.sampling.summary.KeptTrace;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.types.Types;

/** Tables as an older version of the job made them, for the tests of what a newer one does with them. */
public final class OlderTables {
    private OlderTables() {}

    /**
     * What the tests write into such a table: the summary of a kept trace of one 2.5 ms root span,
     * frontend {@code GET /}, so its path is one step with 2,500 microseconds of self time.
     */
    public static KeptTrace oneSpanTrace(String traceId, long startNanos) {
        Span root = new Span();
        root.traceId = traceId;
        root.spanId = "00f067aa0ba902b7";
        root.parentSpanId = "";
        root.serviceName = "frontend";
        root.operationName = "GET /";
        root.startTimeUnixNano = startNanos;
        root.endTimeUnixNano = startNanos + 2_500_000;
        root.durationNs = 2_500_000;
        root.markKept("errors", 1.0, DecisionTrigger.INACTIVITY, false);
        return KeptTrace.of(List.of(root));
    }

    /**
     * {@code trace_summaries} with the critical path step of version 0.1: a span id and offsets in
     * nanoseconds, since given up for microseconds and no id.
     */
    public static Table summariesWithSpanIdsAndNanos(IcebergCatalogConf catalog) {
        Types.StructType oldStep = Types.StructType.of(
                Types.NestedField.optional(103, "span_id", Types.StringType.get()),
                Types.NestedField.optional(104, "service_name", Types.StringType.get()),
                Types.NestedField.optional(105, "operation_name", Types.StringType.get()),
                Types.NestedField.optional(106, "start_offset_ns", Types.LongType.get()),
                Types.NestedField.optional(107, "duration_ns", Types.LongType.get()),
                Types.NestedField.optional(108, "self_time_ns", Types.LongType.get()));
        List<Types.NestedField> columns = new ArrayList<>(TraceSummariesTable.SCHEMA.columns());
        int path = columns.indexOf(TraceSummariesTable.SCHEMA.findField("critical_path"));
        columns.set(path, Types.NestedField.optional(9, "critical_path", Types.ListType.ofOptional(102, oldStep)));
        return catalog.catalogLoader()
                .loadCatalog()
                .buildTable(catalog.tableId(TraceSummariesTable.NAME), new Schema(columns))
                .withPartitionSpec(TraceSummariesTable.TABLE.spec())
                .withSortOrder(TraceSummariesTable.TABLE.sortOrder())
                .withProperties(TraceSummariesTable.TABLE.properties())
                .create();
    }
}

package dev.tailsampling.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.sampling.Span;
import dev.tailsampling.sampling.SpanEvent;
import dev.tailsampling.sampling.SpanLink;
import dev.tailsampling.sampling.summary.AttributeLocation;
import dev.tailsampling.sampling.summary.KeptTrace;
import dev.tailsampling.sampling.summary.TraceLocation;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.table.data.RowData;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.TypeUtil;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tables as the job writes them, on a real local catalog: every column of a record comes back
 * from its Parquet file under its own name, the tables are partitioned, sorted and configured as
 * defined, and a table an older version made gains what it lacks in place.
 */
class TablesTest {
    private static final long START = 1_767_225_600_000_000_000L;

    @TempDir
    Path warehouse;

    /**
     * A span whose every text field holds its own column's name and every number a value no other
     * column has, so a column filled from the wrong field shows.
     */
    private static Span everyFieldSet() {
        Span span = new Span();
        span.traceId = "trace_id";
        span.spanId = "span_id";
        span.parentSpanId = "parent_span_id";
        span.traceState = "trace_state";
        span.startTimeUnixNano = START + 1_000;
        span.endTimeUnixNano = START + 5_000_000;
        span.durationNs = 4_999_000;
        span.serviceName = "service_name";
        span.operationName = "operation_name";
        span.spanKind = "span_kind";
        span.statusCode = "status_code";
        span.statusMessage = "status_message";
        span.httpMethod = "http_method";
        span.httpStatusCode = 503;
        span.httpRoute = "http_route";
        span.urlPath = "url_path";
        span.dbSystem = "db_system";
        span.dbStatement = "db_statement";
        span.rpcService = "rpc_service";
        span.rpcMethod = "rpc_method";
        span.messagingSystem = "messaging_system";
        span.peerService = "peer_service";
        span.serviceVersion = "service_version";
        span.deploymentEnvironment = "deployment_environment";
        span.hostName = "host_name";
        span.error = true;
        span.resourceAttributes = Map.of("resource", "attribute");
        span.attributes = Map.of("span", "attribute");
        span.scopeName = "scope_name";
        span.scopeVersion = "scope_version";
        span.events = List.of(new SpanEvent(START + 2_000, "event", Map.of("event", "attribute")));
        SpanLink link = new SpanLink();
        link.traceId = "linked_trace";
        link.spanId = "linked_span";
        link.relationship = "follows_from";
        span.links = List.of(link);
        span.samplingPolicy = "sampling_policy";
        span.sampleProbability = 0.25;
        span.adjustedCount = 4.0;
        span.samplingTrigger = "sampling_trigger";
        span.traceIncomplete = true;
        return span;
    }

    @Test
    void everyColumnOfASpanComesBackUnderItsOwnName() throws Exception {
        Span span = everyFieldSet();
        Record row = roundTrip(SpansTable.TABLE, SpansTable.COLUMNS.rows(), span);

        for (Types.NestedField field : SpansTable.SCHEMA.columns()) {
            assertThat(row.getField(field.name())).as(field.name()).isNotNull();
            if (field.type().typeId() == Type.TypeID.STRING) {
                assertThat(row.getField(field.name())).as(field.name()).isEqualTo(field.name());
            }
        }
        assertThat(row.getField("start_time"))
                .isEqualTo(OffsetDateTime.ofInstant(Instant.ofEpochSecond(0, START + 1_000), ZoneOffset.UTC));
        assertThat(row.getField("start_time_unix_nano")).isEqualTo(span.startTimeUnixNano);
        assertThat(row.getField("end_time_unix_nano")).isEqualTo(span.endTimeUnixNano);
        assertThat(row.getField("duration_ns")).isEqualTo(span.durationNs);
        assertThat(row.getField("http_status_code")).isEqualTo(503);
        assertThat(row.getField("error")).isEqualTo(true);
        assertThat(row.getField("resource_attributes")).isEqualTo(Map.of("resource", "attribute"));
        assertThat(row.getField("attributes")).isEqualTo(Map.of("span", "attribute"));
        assertThat(row.getField("sample_probability")).isEqualTo(0.25);
        assertThat(row.getField("adjusted_count")).isEqualTo(4.0);
        assertThat(row.getField("trace_incomplete")).isEqualTo(true);
        Record event = (Record) ((List<?>) row.getField("events")).get(0);
        assertThat(event.getField("name")).isEqualTo("event");
        assertThat(event.getField("time_unix_nano")).isEqualTo(START + 2_000);
        Record linked = (Record) ((List<?>) row.getField("links")).get(0);
        assertThat(linked.getField("trace_id")).isEqualTo("linked_trace");
        assertThat(linked.getField("relationship")).isEqualTo("follows_from");
    }

    @Test
    void aKeptTracesSummaryAndIndexRowComeBackWhole() throws Exception {
        Span root = everyFieldSet();
        root.traceId = "0af7651916cd43dd8448eb211c80319c";
        root.parentSpanId = "";
        KeptTrace trace = KeptTrace.of(List.of(root));
        Record summary = roundTrip(TraceSummariesTable.TABLE, TraceSummariesTable.COLUMNS.rows(), trace);
        assertThat(summary.getField("trace_id")).isEqualTo(root.traceId);
        assertThat(summary.getField("root_service_name")).isEqualTo("service_name");
        assertThat(summary.getField("root_operation_name")).isEqualTo("operation_name");
        assertThat(summary.getField("duration_ns")).isEqualTo(trace.durationNs);
        assertThat(summary.getField("span_count")).isEqualTo(1);
        assertThat(summary.getField("error_count")).isEqualTo(1);
        assertThat(summary.getField("services")).isEqualTo(List.of("service_name"));
        assertThat((List<?>) summary.getField("critical_path")).hasSize(1);
        assertThat((List<?>) summary.getField("error_spans")).hasSize(1);
        assertThat(summary.getField("sampling_policy")).isEqualTo("sampling_policy");
        assertThat(summary.getField("adjusted_count")).isEqualTo(4.0);

        TraceLocation location = TraceLocation.of(List.of(root)).get(0);
        Record index = roundTrip(TraceIndexTable.TABLE, TraceIndexTable.COLUMNS.rows(), location);
        assertThat(index.getField("trace_id")).isEqualTo(root.traceId);
        assertThat(index.getField("service_name")).isEqualTo("service_name");
        assertThat(index.getField("span_count")).isEqualTo(1);
        assertThat(index.getField("span_hour"))
                .isEqualTo(OffsetDateTime.ofInstant(Instant.ofEpochMilli(location.hourMillis), ZoneOffset.UTC));
        root.attributes = Map.of("user.id", "42");
        AttributeLocation attribute =
                AttributeLocation.of(List.of(root), Set.of("user.id")).get(0);
        Record indexed = roundTrip(AttributeIndexTable.TABLE, AttributeIndexTable.COLUMNS.rows(), attribute);
        assertThat(indexed.getField("attribute_key")).isEqualTo("user.id");
        assertThat(indexed.getField("attribute_value")).isEqualTo("42");
        assertThat(indexed.getField("trace_id")).isEqualTo(root.traceId);
        assertThat(indexed.getField("service_name")).isEqualTo("service_name");
        assertThat(indexed.getField("span_hour")).isEqualTo(index.getField("span_hour"));
    }

    @Test
    void eachTableIsCreatedPartitionedSortedAndConfiguredAsDefined() {
        IcebergCatalogConf catalog = IcebergCatalogConf.localWarehouse(warehouse.toString());
        for (TableDefinition definition : TableDefinition.all()) {
            Table table = catalog.createTableIfMissing(definition);
            // Iceberg numbers nested fields afresh when it creates a table: compare with its ids.
            assertThat(table.schema().asStruct())
                    .as(definition.name())
                    .isEqualTo(TypeUtil.reassignIds(definition.schema(), table.schema())
                            .asStruct());
            assertThat(table.spec().fields())
                    .extracting(PartitionField::name)
                    .as(definition.name())
                    .isEqualTo(definition.spec().fields().stream()
                            .map(PartitionField::name)
                            .toList());
            assertThat(table.sortOrder().fields())
                    .hasSameSizeAs(definition.sortOrder().fields());
            assertThat(table.properties()).containsAllEntriesOf(withoutFormatVersion(definition));
            assertThat(((HasTableOperations) table).operations().current().formatVersion())
                    .isEqualTo(Integer.parseInt(definition.properties().get("format-version")));
        }
        assertThat(catalog.loadTable(SpansTable.NAME).spec().fields())
                .extracting(PartitionField::name)
                .containsExactly("start_time_hour", "service_name");
    }

    @Test
    void aTableAnOlderVersionMadeGainsItsMissingColumnsPartitionFieldAndProperties() {
        IcebergCatalogConf catalog = IcebergCatalogConf.localWarehouse(warehouse.toString());
        Schema old = new Schema(SpansTable.SCHEMA.columns().subList(0, 30));
        Catalog iceberg = catalog.catalogLoader().loadCatalog();
        iceberg.createTable(
                catalog.tableId(SpansTable.NAME),
                old,
                org.apache.iceberg.PartitionSpec.builderFor(old)
                        .hour("start_time")
                        .build());

        Table evolved = catalog.createTableIfMissing(SpansTable.TABLE);

        assertThat(evolved.schema().columns())
                .extracting(Types.NestedField::name)
                .isEqualTo(SpansTable.SCHEMA.columns().stream()
                        .map(Types.NestedField::name)
                        .toList());
        assertThat(evolved.spec().fields())
                .extracting(PartitionField::name)
                .containsExactly("start_time_hour", "service_name");
        assertThat(evolved.properties()).containsAllEntriesOf(withoutFormatVersion(SpansTable.TABLE));
        assertThat(evolved.sortOrder().isSorted()).isTrue();
    }

    @Test
    void rowsOfASummaryTableWithAnOlderPathLayoutGoToTheColumnsByName() throws Exception {
        OlderTables.summariesWithSpanIdsAndNanos(IcebergCatalogConf.localWarehouse(warehouse.toString()));

        KeptTrace trace = OlderTables.oneSpanTrace("0af7651916cd43dd8448eb211c80319c", START);
        Record summary = roundTrip(TraceSummariesTable.TABLE, TraceSummariesTable.COLUMNS.rows(), trace);

        Record step = (Record) ((List<?>) summary.getField("critical_path")).get(0);
        assertThat(step.getField("service_name")).isEqualTo("frontend");
        assertThat(step.getField("operation_name")).isEqualTo("GET /");
        assertThat(step.getField("self_time_us")).isEqualTo(2_500L);
        assertThat(step.getField("duration_us")).isEqualTo(2_500L);
        assertThat(step.getField("span_id")).isNull();
        assertThat(step.getField("self_time_ns")).isNull();
        assertThat(summary.getField("trace_id")).isEqualTo(trace.traceId);
        assertThat(summary.getField("adjusted_count")).isEqualTo(1.0);
    }

    /** The properties a table lists: the format version is the table's metadata, not a property. */
    private static Map<String, String> withoutFormatVersion(TableDefinition definition) {
        Map<String, String> properties = new HashMap<>(definition.properties());
        properties.remove("format-version");
        return properties;
    }

    /** Writes {@code record} with Iceberg's Flink writer, as a checkpoint of the job would, and reads it back. */
    private <T> Record roundTrip(TableDefinition definition, MapFunction<T, RowData> rows, T record) throws Exception {
        Table table = IcebergCatalogConf.localWarehouse(warehouse.toString()).createTableIfMissing(definition);
        TableWrites.append(table, definition, rows, List.of(record));
        List<Record> read = new ArrayList<>();
        try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
            records.forEach(read::add);
        }
        assertThat(read).hasSize(1);
        return read.get(0);
    }
}

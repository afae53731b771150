package dev.tailsampling.iceberg;

import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.RowType;

import dev.tailsampling.sampling.Span;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.flink.sink.IcebergSink;

/** Writes kept spans to the {@code spans} table; files are committed on each checkpoint. */
public final class SpansSink {
    private SpansSink() {}

    /** Creates the table if it is missing, then appends {@code spans} to it. */
    public static DataStreamSink<RowData> append(DataStream<Span> spans, IcebergCatalogConf catalog) {
        catalog.createTableIfMissing(
                SpansTable.NAME, SpansTable.SCHEMA, SpansTable.SPEC, SpansTable.PROPERTIES);
        RowType rowType = FlinkSchemaUtil.convert(SpansTable.SCHEMA);
        DataStream<RowData> rows =
                spans.map(new SpanRowMapper())
                        .returns(InternalTypeInfo.of(rowType))
                        .uid("span-rows")
                        .name("span-rows");
        return IcebergSink.forRowData(rows)
                .tableLoader(catalog.tableLoader(SpansTable.NAME))
                .writeParallelism(rows.getParallelism())
                .uidSuffix("spans")
                .append();
    }
}

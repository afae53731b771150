package dev.tailsampling.iceberg;

import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.iceberg.Schema;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.flink.sink.IcebergSink;

/** Writes records to one of the tables; files are committed on each checkpoint. */
public final class TableSink {
    private TableSink() {}

    /**
     * Creates {@code table} if it is missing, then appends {@code records} to it as rows made by
     * {@code rows}, laid out as the table in the catalog holds its columns (see {@link
     * TableLayout}). Operator uids are {@code <table>-rows} and the sink's, suffixed by the table.
     */
    public static <T> DataStreamSink<RowData> append(
            DataStream<T> records, MapFunction<T, RowData> rows, TableDefinition table, IcebergCatalogConf catalog) {
        Schema held = catalog.createTableIfMissing(table).schema();
        TableLayout layout = TableLayout.of(table.name(), table.schema().asStruct(), held.asStruct());
        MapFunction<T, RowData> laidOut = layout == null ? rows : record -> layout.apply(rows.map(record));
        DataStream<RowData> mapped = records.map(laidOut)
                .returns(InternalTypeInfo.of(FlinkSchemaUtil.convert(held)))
                .uid(table.name() + "-rows")
                .name(table.name() + "-rows");
        return IcebergSink.forRowData(mapped)
                .tableLoader(catalog.tableLoader(table.name()))
                .writeParallelism(mapped.getParallelism())
                .uidSuffix(table.name())
                .append();
    }
}

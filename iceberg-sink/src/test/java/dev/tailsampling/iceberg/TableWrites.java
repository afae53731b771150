package dev.tailsampling.iceberg;

import java.util.List;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.table.data.RowData;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Table;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.flink.sink.RowDataTaskWriterFactory;
import org.apache.iceberg.io.TaskWriter;

/** Writes records into a table without a running job, for tests that need tables with data. */
public final class TableWrites {
    private TableWrites() {}

    /**
     * Writes {@code records} as one commit, with Iceberg's Flink writer and laid out as the table
     * holds its columns, as a checkpoint of the job would.
     */
    public static <T> void append(
            Table table, TableDefinition definition, MapFunction<T, RowData> rows, List<T> records) {
        if (records.isEmpty()) {
            return;
        }
        table.refresh();
        TableLayout layout = TableLayout.of(
                definition.name(),
                definition.schema().asStruct(),
                table.schema().asStruct());
        RowDataTaskWriterFactory factory = new RowDataTaskWriterFactory(
                table,
                FlinkSchemaUtil.convert(table.schema()),
                Long.MAX_VALUE,
                FileFormat.PARQUET,
                table.properties(),
                null,
                false);
        factory.initialize(0, 0);
        try (TaskWriter<RowData> writer = factory.create()) {
            for (T record : records) {
                RowData row = rows.map(record);
                writer.write(layout == null ? row : layout.apply(row));
            }
            AppendFiles append = table.newAppend();
            for (DataFile file : writer.dataFiles()) {
                append.appendFile(file);
            }
            append.commit();
        } catch (Exception e) {
            throw new IllegalStateException("cannot write to " + table.name(), e);
        }
    }
}

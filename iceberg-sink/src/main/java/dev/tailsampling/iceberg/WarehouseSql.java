package dev.tailsampling.iceberg;

import java.io.IOException;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.config.TableConfigOptions;
import org.apache.flink.table.api.internal.TableResultInternal;
import org.apache.flink.table.data.RowData;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Table;
import org.apache.iceberg.flink.FlinkConfigOptions;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.flink.sink.RowDataTaskWriterFactory;
import org.apache.iceberg.io.TaskWriter;

/**
 * Flink SQL over the tables, in batch mode: the catalog is {@code lake}, the namespace is current,
 * times are shown and parsed in UTC.
 */
public final class WarehouseSql {
    private final TableEnvironment tables;

    private WarehouseSql(TableEnvironment tables) {
        this.tables = tables;
    }

    /** A batch SQL session on the catalog of {@code catalog}. */
    public static WarehouseSql open(IcebergCatalogConf catalog) {
        return open(catalog, Map.of());
    }

    /** A batch SQL session on the catalog of {@code catalog}, with Flink {@code settings}. */
    public static WarehouseSql open(IcebergCatalogConf catalog, Map<String, String> settings) {
        TableEnvironment tables = TableEnvironment.create(EnvironmentSettings.inBatchMode());
        // Iceberg's source asks for a task a split, up to 100, and the local cluster shares its
        // 128 MB of managed memory among that many slots, leaving a hash aggregate less than the
        // megabyte it needs; on this machine's cores more tasks would not read faster anyway.
        tables.getConfig()
                .set(
                        FlinkConfigOptions.TABLE_EXEC_ICEBERG_INFER_SOURCE_PARALLELISM_MAX,
                        Runtime.getRuntime().availableProcessors());
        settings.forEach((key, value) -> tables.getConfig().getConfiguration().setString(key, value));
        tables.getConfig().setLocalTimeZone(ZoneOffset.UTC);
        // Wide enough for a whole trace id in printed tables.
        tables.getConfig().set(TableConfigOptions.DISPLAY_MAX_COLUMN_WIDTH, 40);
        Map<String, String> options = new TreeMap<>(catalog.resolvedProperties());
        options.put("type", "iceberg");
        options.put("catalog-type", catalog.type().name().toLowerCase(Locale.ROOT));
        StringBuilder ddl = new StringBuilder("CREATE CATALOG lake WITH (");
        String separator = "";
        for (Map.Entry<String, String> option : options.entrySet()) {
            ddl.append(separator).append(literal(option.getKey())).append('=').append(literal(option.getValue()));
            separator = ", ";
        }
        tables.executeSql(ddl.append(')').toString());
        tables.useCatalog("lake");
        tables.useDatabase(catalog.namespace());
        return new WarehouseSql(tables);
    }

    /** Runs a query and returns all its rows. */
    public List<Row> query(String sql) throws Exception {
        List<Row> rows = new ArrayList<>();
        try (CloseableIterator<Row> it = tables.executeSql(sql).collect()) {
            it.forEachRemaining(rows::add);
        }
        return rows;
    }

    /** Runs a statement (an insert, say) and waits until it is done. */
    public void execute(String sql) {
        try {
            tables.executeSql(sql).await();
        } catch (Exception e) {
            throw new IllegalStateException("statement failed: " + sql, e);
        }
    }

    /**
     * Runs a query over {@code table}'s rows (every column of the table as the catalog holds it, in
     * its schema's order, which may have columns its definition no longer has) and writes its
     * result, in the order it comes, as new data files of {@code table} with Iceberg's own Flink
     * writer, rolling at the table's target file size. Nothing is committed: the caller commits the
     * files.
     */
    public List<DataFile> writeSorted(Table table, String query) {
        RowDataTaskWriterFactory factory = new RowDataTaskWriterFactory(
                table,
                FlinkSchemaUtil.convert(table.schema()),
                TableSizes.targetFileBytes(table),
                FileFormat.PARQUET,
                table.properties(),
                null,
                false);
        factory.initialize(0, 0);
        TaskWriter<RowData> writer = factory.create();
        // The rows as the planner holds them: Iceberg's Flink writer takes exactly these.
        try (CloseableIterator<RowData> rows = ((TableResultInternal) tables.executeSql(query)).collectInternal()) {
            while (rows.hasNext()) {
                writer.write(rows.next());
            }
            return List.of(writer.dataFiles());
        } catch (Exception e) {
            try {
                writer.abort();
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw new IllegalStateException("cannot rewrite " + table.name() + " from: " + query, e);
        }
    }

    /** Runs a query and prints its rows as a table on standard output. */
    public void print(String sql) {
        tables.executeSql(sql).print();
    }

    private static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}

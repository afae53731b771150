package dev.tailsampling.iceberg;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.io.CloseableIterable;

/**
 * DuckDB views of the tables as their current snapshots hold them: each view reads exactly the
 * data files Iceberg lists for the snapshot. A glob over a table's folder would also read the
 * files compaction replaced and those of failed commits, counting rows twice or more. The tables
 * are append-only (no delete files), so the data files are the whole table.
 */
public final class DuckDbViews {
    private DuckDbViews() {}

    /** One {@code CREATE OR REPLACE VIEW} per table with data; a comment for the others. */
    public static List<String> statements(IcebergCatalogConf catalog) {
        List<String> statements = new ArrayList<>();
        for (TableDefinition definition : TableDefinition.all()) {
            Table table;
            try {
                table = catalog.loadTable(definition.name());
            } catch (NoSuchTableException notYet) {
                statements.add("-- " + definition.name() + ": not created yet");
                continue;
            }
            List<String> files = dataFiles(table);
            if (files.isEmpty()) {
                statements.add("-- " + definition.name() + ": no data files yet");
                continue;
            }
            // By name: files written before a column was added lack it, and read as null.
            statements.add("CREATE OR REPLACE VIEW " + definition.name() + " AS SELECT * FROM read_parquet(["
                    + String.join(", ", files) + "], union_by_name = true);");
        }
        return statements;
    }

    private static List<String> dataFiles(Table table) {
        List<String> files = new ArrayList<>();
        try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
            for (FileScanTask task : tasks) {
                if (!task.deletes().isEmpty()) {
                    throw new IllegalStateException(table.name() + " has delete files, which a DuckDB view over its"
                            + " data files would not apply");
                }
                files.add("'" + duckDbPath(task.file().location()).replace("'", "''") + "'");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the files of " + table.name(), e);
        }
        return files;
    }

    /** A local file as a path, S3 under the scheme DuckDB's httpfs reads; anything else as it is. */
    static String duckDbPath(String location) {
        if (location.startsWith("file:")) {
            return location.replaceFirst("^file:(//)?", "");
        }
        if (location.startsWith("s3a://") || location.startsWith("s3n://")) {
            return "s3://" + location.substring(location.indexOf("://") + 3);
        }
        return location;
    }
}

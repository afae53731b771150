package dev.tailsampling.iceberg;

import java.io.Closeable;
import java.io.IOException;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.util.PropertyUtil;

/** Sizes of the tables and their files. */
public final class TableSizes {
    private TableSizes() {}

    /** The size a table's writers roll their data files at: its {@code write.target-file-size-bytes}. */
    public static long targetFileBytes(Table table) {
        return PropertyUtil.propertyAsLong(
                table.properties(),
                TableProperties.WRITE_TARGET_FILE_SIZE_BYTES,
                TableProperties.WRITE_TARGET_FILE_SIZE_BYTES_DEFAULT);
    }

    /**
     * The bytes the namespace's tables hold: the sum of their current snapshots' {@code
     * total-files-size}, read from snapshot summaries without listing any file.
     */
    public static long totalFileBytes(IcebergCatalogConf conf) throws IOException {
        Catalog catalog = conf.catalogLoader().loadCatalog();
        try {
            long total = 0;
            for (TableIdentifier id : catalog.listTables(Namespace.of(conf.namespace()))) {
                Table table = catalog.loadTable(id);
                Snapshot current = table.currentSnapshot();
                if (current != null) {
                    total += Long.parseLong(current.summary().getOrDefault("total-files-size", "0"));
                }
            }
            return total;
        } finally {
            if (catalog instanceof Closeable) {
                ((Closeable) catalog).close();
            }
        }
    }
}

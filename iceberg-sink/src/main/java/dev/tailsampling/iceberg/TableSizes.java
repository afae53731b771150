package dev.tailsampling.iceberg;

import java.io.Closeable;
import java.io.IOException;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * The bytes the namespace's tables hold: the sum of their current snapshots' {@code
 * total-files-size}, read from snapshot summaries without listing any file.
 */
public final class TableSizes {
    private TableSizes() {}

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

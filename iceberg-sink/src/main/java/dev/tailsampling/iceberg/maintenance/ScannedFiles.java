package dev.tailsampling.iceberg.maintenance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableScan;
import org.apache.iceberg.io.CloseableIterable;

/** The data files a scan of a table plans, as maintenance reads them. */
final class ScannedFiles {
    private ScannedFiles() {}

    /** The files {@code scan} of {@code table} plans: the current snapshot's unless the scan says otherwise. */
    static List<DataFile> of(Table table, TableScan scan) {
        List<DataFile> files = new ArrayList<>();
        try (CloseableIterable<FileScanTask> tasks = scan.planFiles()) {
            tasks.forEach(task -> files.add(task.file()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the files of " + table.name(), e);
        }
        return files;
    }

    /** The partition a file was written to, in the spec it was written with. */
    static String partitionPath(Table table, DataFile file) {
        return table.specs().get(file.specId()).partitionToPath(file.partition());
    }
}

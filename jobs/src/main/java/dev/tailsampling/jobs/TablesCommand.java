package dev.tailsampling.jobs;

import dev.tailsampling.iceberg.IcebergCatalogConf;
import dev.tailsampling.iceberg.TableDefinition;
import dev.tailsampling.iceberg.maintenance.FileCounts;
import java.io.PrintStream;
import org.apache.iceberg.exceptions.NoSuchTableException;

/**
 * {@code tables [--iceberg.* ...]}: each table's data files, partitions and sizes, and how many
 * files its fullest partition holds, so an operator sees when compaction ({@code maintain}) is
 * behind.
 */
final class TablesCommand {
    static final String USAGE = "usage: tables [--iceberg.catalog-type T] [--iceberg.warehouse W]"
            + " [--iceberg.namespace N] [--iceberg.catalog.KEY VALUE]";

    static final Command COMMAND = new Command(
            "tables", "files, partitions and sizes of each table: is compaction behind?", USAGE, TablesCommand::run);

    private TablesCommand() {}

    static int run(String[] args, PrintStream out, PrintStream err) {
        IcebergCatalogConf catalog;
        try {
            catalog = TraceCommand.catalog(args);
        } catch (IllegalArgumentException e) {
            err.println("tables: " + e.getMessage());
            return 2;
        }
        try {
            for (TableDefinition definition : TableDefinition.all()) {
                try {
                    out.println(FileCounts.of(catalog.loadTable(definition.name())));
                } catch (NoSuchTableException notYet) {
                    out.println(definition.name() + ": not created yet");
                }
            }
            return 0;
        } catch (RuntimeException e) {
            err.println("tables: on the " + catalog.describe() + ": " + Cli.oneLine(e));
            return 1;
        }
    }
}

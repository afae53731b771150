package dev.tailsampling.jobs;

import dev.tailsampling.iceberg.AttributeIndexTable;
import dev.tailsampling.iceberg.DuckDbViews;
import dev.tailsampling.iceberg.IcebergCatalogConf;
import dev.tailsampling.iceberg.TableDefinition;
import dev.tailsampling.iceberg.maintenance.FileCounts;
import java.io.PrintStream;
import java.util.Arrays;
import org.apache.iceberg.exceptions.NoSuchTableException;

/**
 * {@code tables [--iceberg.* ...]}: each table's data files, partitions and sizes, and how many
 * files its fullest partition holds, so an operator sees when compaction ({@code maintain}) is
 * behind. With {@code --duckdb}, DuckDB views of the tables' current data files instead.
 */
public final class TablesCommand {
    static final String USAGE = "usage: tables [--duckdb] [--iceberg.catalog-type T] [--iceberg.warehouse W]"
            + " [--iceberg.namespace N] [--iceberg.catalog.KEY VALUE]";

    static final Command COMMAND = new Command(
            "tables",
            "files, partitions and sizes of each table: is compaction behind? (--duckdb: DuckDB views of them)",
            USAGE,
            TablesCommand::run);

    private TablesCommand() {}

    public static int run(String[] args, PrintStream out, PrintStream err) {
        boolean duckDb = args.length > 0 && args[0].equals("--duckdb");
        IcebergCatalogConf catalog;
        try {
            catalog = TraceCommand.catalog(duckDb ? Arrays.copyOfRange(args, 1, args.length) : args);
        } catch (IllegalArgumentException e) {
            err.println("tables: " + e.getMessage());
            return 2;
        }
        try {
            if (duckDb) {
                DuckDbViews.statements(catalog).forEach(out::println);
                return 0;
            }
            for (TableDefinition definition : TableDefinition.all()) {
                try {
                    out.println(FileCounts.of(catalog.loadTable(definition.name())));
                } catch (NoSuchTableException notYet) {
                    out.println(definition.name() + ": not created yet"
                            + (definition == AttributeIndexTable.TABLE ? " (written with --index.attributes)" : ""));
                }
            }
            return 0;
        } catch (RuntimeException e) {
            err.println("tables: on the " + catalog.describe() + ": " + Cli.oneLine(e));
            return 1;
        }
    }
}

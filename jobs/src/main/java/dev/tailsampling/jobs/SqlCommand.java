package dev.tailsampling.jobs;

import dev.tailsampling.iceberg.IcebergCatalogConf;
import dev.tailsampling.iceberg.WarehouseSql;
import java.io.PrintStream;
import java.util.Arrays;

/**
 * {@code sql "QUERY" [--iceberg.* ...]}: runs one Flink SQL query on the tables (catalog {@code
 * lake}, the namespace current, times in UTC) and prints its rows as a table. Needs Flink on the
 * class path: the command-line tool carries it, and {@code flink run <job jar> sql ...} runs it on a cluster.
 */
public final class SqlCommand {
    static final String USAGE = "usage: sql \"SELECT ...\" [--iceberg.catalog-type T] [--iceberg.warehouse W]"
            + " [--iceberg.namespace N] [--iceberg.catalog.KEY VALUE]";

    static final Command COMMAND = new Command(
            "sql",
            "run one Flink SQL query on the tables and print its rows",
            SqlCommand.USAGE,
            (args, out, err) -> run(args, err));

    private SqlCommand() {}

    public static int run(String[] args, PrintStream err) {
        if (args.length < 1 || args[0].startsWith("--")) {
            err.println(USAGE);
            return 2;
        }
        IcebergCatalogConf catalog;
        try {
            catalog = TraceCommand.catalog(Arrays.copyOfRange(args, 1, args.length));
        } catch (IllegalArgumentException e) {
            err.println("sql: " + e.getMessage());
            return 2;
        }
        try {
            WarehouseSql.open(catalog).print(args[0]);
            return 0;
        } catch (RuntimeException e) {
            err.println("sql: on the " + catalog.describe() + ": " + Cli.oneLine(e));
            return 1;
        }
    }
}

package dev.tailsampling.jobs;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * {@code sql "QUERY" [--iceberg.* ...]}: runs one Flink SQL query on the tables (catalog {@code
 * lake}, the namespace current, times in UTC) and prints its rows as a table. Needs Flink on the
 * class path: run it with {@code flink run}, or through the local-run profile.
 */
public final class SqlCommand {
    private SqlCommand() {}

    public static int run(String[] args, PrintStream err) {
        if (args.length < 1 || args[0].startsWith("--")) {
            err.println("usage: sql \"SELECT ...\" [--iceberg.catalog-type T] [--iceberg.warehouse W]"
                    + " [--iceberg.namespace N] [--iceberg.catalog.KEY VALUE]");
            return 2;
        }
        try {
            WarehouseSql.open(TraceCommand.catalog(Arrays.copyOfRange(args, 1, args.length))).print(args[0]);
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("sql: " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            err.println("sql: " + e.getMessage() + (e.getCause() == null ? "" : ": " + rootCause(e)));
            return 1;
        }
    }

    private static String rootCause(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getMessage();
    }
}

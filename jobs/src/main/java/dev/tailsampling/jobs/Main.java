package dev.tailsampling.jobs;

import java.util.Arrays;

/**
 * The job jar's entry point. {@code controller ...} runs the budget controller job; {@code dry-run
 * ...} checks a policy file against trace files without Flink; {@code rates show|set ...} reads or
 * overrides the published sampling rates; {@code maintain ...} compacts and expires the tables;
 * {@code trace ID} prints a kept trace; {@code sql "QUERY"} runs Flink SQL on the tables;
 * anything else is the tail-sampling job's parameters (this
 * is what {@code flink run} calls).
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        String[] rest = args.length > 0 ? Arrays.copyOfRange(args, 1, args.length) : args;
        if (args.length > 0 && args[0].equals("dry-run")) {
            System.exit(DryRun.run(rest, System.out, System.err));
        }
        if (args.length > 0 && args[0].equals("rates")) {
            System.exit(RatesCommand.run(rest, System.out, System.err));
        }
        if (args.length > 0 && args[0].equals("trace")) {
            System.exit(TraceCommand.run(rest, System.out, System.err));
        }
        if (args.length > 0 && args[0].equals("sql")) {
            System.exit(SqlCommand.run(rest, System.err));
        }
        if (args.length > 0 && args[0].equals("maintain")) {
            System.exit(WarehouseMaintenance.run(rest, System.out, System.err));
        }
        if (args.length > 0 && args[0].equals("controller")) {
            BudgetControllerJob.main(rest);
            return;
        }
        TailSamplingJob.main(args);
    }
}

package dev.tailsampling.jobs;

import java.util.Arrays;

/**
 * The job jar's entry point, what {@code flink run} calls: {@code controller ...} runs the budget
 * controller job, anything else is the tail-sampling job's parameters. The commands of {@link Cli}
 * ({@code maintain}, {@code sql}, ...) and {@code --help} run here too, for a cluster that should
 * run them ({@code flink run <job jar> maintain ...}).
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        if (!flinkPresent()) {
            // java -jar on the job jar: Flink is the cluster's, not in here.
            System.err.println("This is the job jar, for a Flink cluster: flink run <job jar> [JOB PARAMETERS], or"
                    + " flink run <job jar> controller [...]. The commands (dry-run, rates, trace, sql, maintain, tables, dead-letters) are in"
                    + " the command-line tool: jobs/target/tail-sampling/bin/tail-sampling --help");
            System.exit(2);
        }
        if (args.length > 0 && (Cli.COMMANDS.containsKey(args[0]) || args[0].equals("--help"))) {
            System.exit(Cli.run(args, System.out, System.err));
        }
        if (args.length > 0 && args[0].equals("controller")) {
            BudgetControllerJob.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        TailSamplingJob.main(args);
    }

    private static boolean flinkPresent() {
        try {
            Class.forName("org.apache.flink.configuration.Configuration", false, Main.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}

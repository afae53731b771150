package dev.tailsampling.jobs;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command-line tool, {@code bin/tail-sampling}: what an operator or analyst runs beside the
 * jobs (which run on a Flink cluster, through {@code flink run} and the job jar's {@link Main}).
 * With no arguments or {@code --help} it lists the commands; {@code COMMAND --help} gives one
 * command's usage. An unknown command or a bad argument is one line on standard error and exit
 * status 2; a failure is one line and status 1, with the stack trace only under {@code --verbose}.
 * Results go to standard output, diagnostics to standard error, logs to a file.
 */
public final class Cli {
    /** The commands, by name, in the order the usage lists them. */
    static final Map<String, Command> COMMANDS = new LinkedHashMap<>();

    static {
        for (Command command : List.of(
                DryRun.COMMAND,
                ReplayCommand.COMMAND,
                ShadowCommand.COMMAND,
                RatesCommand.COMMAND,
                TraceCommand.COMMAND,
                ServeCommand.COMMAND,
                SqlCommand.COMMAND,
                MaintainCommand.COMMAND,
                TablesCommand.COMMAND,
                DeadLettersCommand.COMMAND)) {
            COMMANDS.put(command.name(), command);
        }
    }

    private Cli() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] given, PrintStream out, PrintStream err) {
        List<String> args = new ArrayList<>(Arrays.asList(given));
        boolean verbose = args.remove("--verbose");
        if (args.isEmpty() || isHelp(args.get(0)) || args.get(0).equals("help")) {
            out.print(usage());
            return 0;
        }
        String name = args.get(0);
        Command command = COMMANDS.get(name);
        if (command == null) {
            err.println("tail-sampling: unknown command '" + name + "'; the commands are "
                    + String.join(", ", COMMANDS.keySet()) + " (tail-sampling --help)");
            return 2;
        }
        String[] rest = args.subList(1, args.size()).toArray(new String[0]);
        if (rest.length > 0 && isHelp(rest[0])) {
            out.println(command.summary());
            out.println(command.usage());
            return 0;
        }
        try {
            return command.runner().run(rest, out, err);
        } catch (Exception | LinkageError e) {
            err.println("tail-sampling " + name + ": " + oneLine(e) + (verbose ? "" : " (--verbose for details)"));
            if (verbose) {
                e.printStackTrace(err);
            }
            return 1;
        }
    }

    private static boolean isHelp(String arg) {
        return arg.equals("--help") || arg.equals("-h");
    }

    /** The usage text: every command with one line. */
    static String usage() {
        StringBuilder text = new StringBuilder(
                "usage: tail-sampling COMMAND [ARGUMENTS]    (COMMAND --help for its arguments; --verbose for stack"
                        + " traces)\n\ncommands:\n");
        COMMANDS.forEach((name, command) -> text.append(String.format("  %-9s %s%n", name, command.summary())));
        text.append("\nThe sampling job and the budget controller run on a Flink cluster, from the job jar:\n"
                + "  flink run <job jar> [JOB PARAMETERS]\n"
                + "  flink run <job jar> controller [CONTROLLER PARAMETERS]\n");
        return text.toString();
    }

    /** The exception's message and its root cause's, on one line. */
    static String oneLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = String.valueOf(
                e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName());
        if (root != e && root.getMessage() != null && !message.contains(root.getMessage())) {
            message += ": " + root.getMessage();
        }
        return message.replace('\n', ' ');
    }
}

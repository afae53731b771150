package dev.tailsampling.jobs;

import java.io.PrintStream;

/**
 * One command of the command-line tool, declared by the class that implements it: its name, what
 * it does in one line, its usage, and how it runs (exit status 0, 1 for a failure, 2 for a bad
 * argument; results on {@code out}, diagnostics on {@code err}).
 */
record Command(String name, String summary, String usage, Runner runner) {

    @FunctionalInterface
    interface Runner {
        int run(String[] args, PrintStream out, PrintStream err) throws Exception;
    }
}

package dev.tailsampling.jobs;

import java.util.Arrays;

/**
 * The job jar's entry point. {@code dry-run ...} checks a policy file against trace files without
 * Flink; anything else is the tail-sampling job's parameters (this is what {@code flink run} calls).
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("dry-run")) {
            System.exit(DryRun.run(Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
        }
        TailSamplingJob.main(args);
    }
}

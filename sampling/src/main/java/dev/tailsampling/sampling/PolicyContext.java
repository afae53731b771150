package dev.tailsampling.sampling;

import java.util.function.LongSupplier;

/** What a policy learns about where it runs: its share of the job and its clock. */
public final class PolicyContext {
    private final int parallelism;
    private final LongSupplier clockMillis;

    public PolicyContext(int parallelism, LongSupplier clockMillis) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1: " + parallelism);
        }
        this.parallelism = parallelism;
        this.clockMillis = clockMillis;
    }

    /** A single subtask on the wall clock. */
    public static PolicyContext standalone() {
        return new PolicyContext(1, System::currentTimeMillis);
    }

    /** How many parallel copies of the policy run; rate limits divide their budget by it. */
    public int parallelism() {
        return parallelism;
    }

    public long nowMillis() {
        return clockMillis.getAsLong();
    }
}

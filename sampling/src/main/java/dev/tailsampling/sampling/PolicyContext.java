package dev.tailsampling.sampling;

import dev.tailsampling.sampling.rates.SamplingRates;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What a policy learns about where it runs: its share of the job, its clock and the sampling rates
 * currently published by the budget controller.
 */
public final class PolicyContext {
    private final int parallelism;
    private final LongSupplier clockMillis;
    private final Supplier<SamplingRates> rates;

    public PolicyContext(int parallelism, LongSupplier clockMillis) {
        this(parallelism, clockMillis, SamplingRates::none);
    }

    public PolicyContext(int parallelism, LongSupplier clockMillis, Supplier<SamplingRates> rates) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1: " + parallelism);
        }
        this.parallelism = parallelism;
        this.clockMillis = clockMillis;
        this.rates = rates;
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

    /** The rates in force now; none when no controller publishes. */
    public SamplingRates rates() {
        return rates.get();
    }
}

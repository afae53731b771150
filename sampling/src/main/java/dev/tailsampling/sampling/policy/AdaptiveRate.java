package dev.tailsampling.sampling.policy;

import dev.tailsampling.sampling.PolicyContext;
import java.io.Serializable;

/**
 * A rate limit that keeps its estimates unbiased. Each second it sets a keep probability from what
 * arrived the second before, {@code p = min(1, budget / arrivals)}, and a trace is kept by the
 * trace-id threshold for {@code p} (see {@link dev.tailsampling.sampling.ConsistentProbability}),
 * so every kept trace carries its true weight {@code 1/p}. A limiter that keeps the first arrivals
 * of each second would hold the same volume but favour traces that come early in a second.
 * The job-wide budget is split evenly over the parallel subtasks, which see equal shares of traces
 * because traces are spread over them by a hash of the trace id.
 */
final class AdaptiveRate implements Serializable {
    private static final long serialVersionUID = 1L;

    private final double budgetPerSecond;
    private transient PolicyContext context;
    private transient double share;
    private transient long windowSecond = Long.MIN_VALUE;
    private transient double arrivals;
    private transient double probability = 1.0;

    AdaptiveRate(double budgetPerSecond) {
        if (!(budgetPerSecond > 0)) {
            throw new IllegalArgumentException("must be positive, was " + budgetPerSecond);
        }
        this.budgetPerSecond = budgetPerSecond;
    }

    void open(PolicyContext context) {
        this.context = context;
        this.share = budgetPerSecond / context.parallelism();
        this.windowSecond = Long.MIN_VALUE;
        this.arrivals = 0;
        this.probability = 1.0;
    }

    /** Counts {@code amount} (spans or bytes) arriving now and returns the keep probability. */
    double arrive(double amount) {
        if (context == null) {
            throw new IllegalStateException("a rate-limited policy must be opened before use");
        }
        long second = Math.floorDiv(context.nowMillis(), 1000L);
        if (second != windowSecond) {
            if (windowSecond != Long.MIN_VALUE) {
                double perSecond = arrivals / (second - windowSecond);
                probability = perSecond <= share ? 1.0 : share / perSecond;
            }
            windowSecond = second;
            arrivals = 0;
        }
        arrivals += amount;
        return probability;
    }
}

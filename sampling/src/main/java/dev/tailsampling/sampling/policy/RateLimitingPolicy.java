package dev.tailsampling.sampling.policy;

import dev.tailsampling.sampling.Decision;
import dev.tailsampling.sampling.PolicyContext;
import dev.tailsampling.sampling.StatefulPolicy;
import dev.tailsampling.sampling.TraceView;

/**
 * Keeps a job-wide budget of spans (or encoded bytes) per second as an unbiased
 * consistent-probability sample ({@link AdaptiveRate}). Stateful: it counts what arrives on the
 * clock of its subtask.
 */
public final class RateLimitingPolicy implements StatefulPolicy {
    private static final long serialVersionUID = 1L;

    /** What the budget counts. */
    public enum Unit {
        SPANS,
        BYTES
    }

    private final String name;
    private final AdaptiveRate rate;
    private final Unit unit;

    public RateLimitingPolicy(String name, double perSecond, Unit unit) {
        this.name = name;
        this.rate = new AdaptiveRate(perSecond);
        this.unit = unit;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void open(PolicyContext context) {
        rate.open(context);
    }

    @Override
    public Decision evaluate(TraceView trace) {
        double p = rate.arrive(unit == Unit.BYTES ? trace.summary().byteCount : trace.summary().spanCount);
        return trace.sampledAt(p)
                ? Decision.sampled(name, "within the rate limit at p=" + p, p)
                : Decision.notSampled();
    }
}

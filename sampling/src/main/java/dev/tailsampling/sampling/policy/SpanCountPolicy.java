package dev.tailsampling.sampling.policy;

import dev.tailsampling.sampling.Decision;
import dev.tailsampling.sampling.SamplingPolicy;
import dev.tailsampling.sampling.TraceView;

/** Keeps a trace of at least {@code min} spans and, if {@code max} is not 0, at most {@code max}. */
public final class SpanCountPolicy implements SamplingPolicy {
    private static final long serialVersionUID = 1L;

    private final String name;
    private final int min;
    private final int max;

    public SpanCountPolicy(String name, int min, int max) {
        if (min < 0 || max < 0 || (max != 0 && max < min)) {
            throw new IllegalArgumentException("span count bounds of policy " + name
                    + " must be 0 or more with max at least min, were " + min + " and " + max);
        }
        this.name = name;
        this.min = min;
        this.max = max;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Decision evaluate(TraceView trace) {
        int count = trace.summary().spanCount;
        boolean match = count >= min && (max == 0 || count <= max);
        return match ? Decision.sampled(name, count + " spans", 1.0) : Decision.notSampled();
    }
}

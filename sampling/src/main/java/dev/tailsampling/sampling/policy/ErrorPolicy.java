package dev.tailsampling.sampling.policy;

import dev.tailsampling.sampling.Decision;
import dev.tailsampling.sampling.SamplingPolicy;
import dev.tailsampling.sampling.TraceView;

/**
 * Keeps every trace in which a span is an error by the semantic conventions (status ERROR, an
 * HTTP server 5xx, an {@code error} attribute), as the decoder marked it: decided on the summary,
 * without reading the spans.
 */
public final class ErrorPolicy implements SamplingPolicy {
    private static final long serialVersionUID = 1L;

    private final String name;

    public ErrorPolicy(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Decision evaluate(TraceView trace) {
        return trace.summary().errorSeen ? Decision.sampled(name, "a span is an error", 1.0) : Decision.notSampled();
    }
}

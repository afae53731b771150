package dev.tailsampling.sampling;

/** Keeps every trace that contains an error span. */
final class ErrorPolicy implements SamplingPolicy {
    private static final long serialVersionUID = 1L;

    private final String name;

    ErrorPolicy(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Decision evaluate(TraceView trace) {
        return trace.summary().errorSeen
                ? Decision.sampled(name, "a span is an error", 1.0)
                : Decision.notSampled();
    }
}

package dev.tailsampling.sampling.policy;

import dev.tailsampling.sampling.Span;
import java.util.List;
import java.util.Set;

/** Keeps a trace in which a span's W3C tracestate has the key with one of the values. */
public final class TraceStatePolicy extends SpanMatchPolicy {
    private static final long serialVersionUID = 1L;

    private final String key;
    private final Set<String> values;

    public TraceStatePolicy(String name, String key, List<String> values) {
        super(name, false);
        this.key = key;
        this.values = Set.copyOf(values);
    }

    @Override
    boolean matches(Span span) {
        for (String member : span.traceState.split(",")) {
            int eq = member.indexOf('=');
            if (eq > 0
                    && member.substring(0, eq).trim().equals(key)
                    && values.contains(member.substring(eq + 1).trim())) {
                return true;
            }
        }
        return false;
    }

    @Override
    String describe() {
        return "tracestate " + key + " in " + values;
    }
}

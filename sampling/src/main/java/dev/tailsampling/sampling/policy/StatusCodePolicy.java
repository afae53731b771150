package dev.tailsampling.sampling.policy;

import dev.tailsampling.sampling.Span;
import java.util.Set;

/** Keeps a trace in which a span's status code (UNSET, OK, ERROR) is one of the given codes. */
public final class StatusCodePolicy extends SpanMatchPolicy {
    private static final long serialVersionUID = 1L;
    private static final Set<String> CODES = Set.of("OK", "ERROR", "UNSET");

    private final Set<String> codes;

    public StatusCodePolicy(String name, Set<String> codes) {
        super(name, false);
        for (String code : codes) {
            if (!CODES.contains(code)) {
                throw new IllegalArgumentException("status code '" + code + "' is not one of OK, ERROR, UNSET");
            }
        }
        this.codes = Set.copyOf(codes);
    }

    @Override
    boolean matches(Span span) {
        return codes.contains(span.statusCode);
    }

    @Override
    String describe() {
        return "status code in " + codes;
    }
}

package dev.tailsampling.sampling.policy;

import dev.tailsampling.sampling.Span;
import java.util.List;
import java.util.Set;

/** Keeps a trace in which a span's service, or service and operation ("service/operation"), is listed. */
public final class CriticalOperationsPolicy extends SpanMatchPolicy {
    private static final long serialVersionUID = 1L;

    private final Set<String> operations;

    public CriticalOperationsPolicy(String name, List<String> operations) {
        super(name, false);
        this.operations = Set.copyOf(operations);
    }

    @Override
    boolean matches(Span span) {
        return operations.contains(span.serviceName)
                || operations.contains(span.serviceName + "/" + span.operationName);
    }

    @Override
    String describe() {
        return "a critical operation";
    }
}

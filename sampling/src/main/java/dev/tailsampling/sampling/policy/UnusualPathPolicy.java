package dev.tailsampling.sampling.policy;

import dev.tailsampling.sampling.Decision;
import dev.tailsampling.sampling.StatefulPolicy;
import dev.tailsampling.sampling.TraceSummary;
import dev.tailsampling.sampling.TraceView;
import dev.tailsampling.sampling.paths.PathFrequencies;
import dev.tailsampling.sampling.paths.PathSignature;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Keeps a trace whose path through the services ({@link PathSignature}) is rare among the traces
 * of its root service and operation: its decayed share of them is below {@code maxShare}, or it was
 * never seen. Learns online from every trace it judges, after judging it; a root is judged once it
 * has {@code minTraces} traces. Deterministic for the trace at hand, so a kept trace counts once
 * (probability 1). What it learned is part of the job's checkpoints and merges when restored, as
 * {@link LearnedLatencyPolicy}'s sketches do. Traces without a root are not judged.
 */
public final class UnusualPathPolicy implements StatefulPolicy {
    private static final long serialVersionUID = 1L;
    private static final char SEPARATOR = '\u001f';

    private final String name;
    private final double maxShare;
    private final long minTraces;
    private final long halfLifeNanos;
    private final int maxSignatures;
    /** By root service, then root operation: no key to build for a trace. */
    private transient Map<String, Map<String, PathFrequencies>> roots;

    public UnusualPathPolicy(String name, double maxShare, long minTraces, Duration window, int maxSignatures) {
        if (!(maxShare > 0 && maxShare < 1)) {
            throw new IllegalArgumentException("max share must be between 0 and 1, was " + maxShare);
        }
        if (minTraces < 1 || window.isNegative() || window.isZero() || maxSignatures < 1) {
            throw new IllegalArgumentException("min traces, window and max signatures must be positive");
        }
        this.name = name;
        this.maxShare = maxShare;
        this.minTraces = minTraces;
        this.halfLifeNanos = window.toNanos();
        this.maxSignatures = maxSignatures;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Decision evaluate(TraceView trace) {
        TraceSummary summary = trace.summary();
        if (summary.rootService == null) {
            return Decision.notSampled();
        }
        PathFrequencies seen = frequencies(summary.rootService, String.valueOf(summary.rootOperation));
        PathSignature path = PathSignature.of(trace.spans());
        double share = seen.share(path.hash());
        Decision decision = Decision.notSampled();
        if (seen.traces() >= minTraces && share < maxShare) {
            decision = Decision.sampled(
                    name,
                    String.format(
                            "path in %.3f %% of %s %s traces: %s",
                            share * 100, summary.rootService, summary.rootOperation, path),
                    1.0);
        }
        seen.add(path.hash(), summary.minStartNanos);
        return decision;
    }

    /** Signatures remembered for a root service and operation; 0 if it has none. */
    public int signatures(String service, String operation) {
        PathFrequencies seen = roots().getOrDefault(service, Map.of()).get(operation);
        return seen == null ? 0 : seen.signatures();
    }

    @Override
    public void snapshotState(Map<String, byte[]> state) {
        roots().forEach((service, operations) -> operations.forEach(
                (operation, seen) -> state.put(name + SEPARATOR + service + SEPARATOR + operation, seen.encode())));
    }

    @Override
    public void restoreState(String key, byte[] value) {
        String prefix = name + SEPARATOR;
        if (!key.startsWith(prefix)) {
            return;
        }
        String root = key.substring(prefix.length());
        int split = root.indexOf(SEPARATOR);
        if (split < 0) {
            return;
        }
        frequencies(root.substring(0, split), root.substring(split + 1))
                .merge(PathFrequencies.decode(value, halfLifeNanos, maxSignatures));
    }

    private PathFrequencies frequencies(String service, String operation) {
        return roots().computeIfAbsent(service, k -> new HashMap<>())
                .computeIfAbsent(operation, k -> new PathFrequencies(halfLifeNanos, maxSignatures));
    }

    private Map<String, Map<String, PathFrequencies>> roots() {
        if (roots == null) {
            roots = new HashMap<>();
        }
        return roots;
    }
}

package dev.tailsampling.sampling.paths;

import dev.tailsampling.sampling.Span;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A trace's path through the services: the set of its caller → callee edges (service and operation
 * of a span's parent and of the span), each with its number of calls folded into a width bucket
 * (1, 2–3, 4–7, 8+), so that a fan-out twice as wide is another path but one call more or less in a
 * wide one is not. The same for any order of the spans; a span delivered twice counts once; a span
 * whose parent is not in the trace is called from {@value #MISSING}, a root from {@value #ENTRY}.
 * Built in one pass over the spans, without recursion, so a deep trace costs what a wide one does.
 */
public final class PathSignature {
    /** The caller of a root span. */
    public static final String ENTRY = "(entry)";

    /** The caller of a span whose parent is not among the trace's spans. */
    public static final String MISSING = "(missing parent)";

    private final long hash;
    private final List<Edge> edges;

    /** One caller → callee pair and how many calls it had. */
    public record Edge(String callerService, String callerOperation, String service, String operation, int calls) {

        /** 0 for one call, 1 for 2–3, 2 for 4–7, 3 for 8 or more. */
        public int widthBucket() {
            return Math.min(3, 31 - Integer.numberOfLeadingZeros(calls));
        }

        @Override
        public String toString() {
            String width =
                    switch (widthBucket()) {
                        case 0 -> "";
                        case 1 -> " x2-3";
                        case 2 -> " x4-7";
                        default -> " x8+";
                    };
            return callerService + " " + callerOperation + " -> " + service + " " + operation + width;
        }

        private long key() {
            long h = mix(callerService.hashCode());
            h = mix(h ^ callerOperation.hashCode());
            h = mix(h ^ service.hashCode());
            return mix(h ^ operation.hashCode());
        }
    }

    private PathSignature(long hash, List<Edge> edges) {
        this.hash = hash;
        this.edges = edges;
    }

    /** The signature of a trace's spans. */
    public static PathSignature of(List<Span> spans) {
        Map<String, Span> byId = new HashMap<>(spans.size() * 2);
        for (Span span : spans) {
            byId.putIfAbsent(span.spanId, span);
        }
        Map<Long, Edge> edges = new HashMap<>();
        for (Span span : byId.values()) {
            String callerService;
            String callerOperation;
            if (span.parentSpanId == null || span.parentSpanId.isEmpty()) {
                callerService = ENTRY;
                callerOperation = "";
            } else {
                Span parent = byId.get(span.parentSpanId);
                callerService = parent == null ? MISSING : nullToEmpty(parent.serviceName);
                callerOperation = parent == null ? "" : nullToEmpty(parent.operationName);
            }
            Edge edge = new Edge(
                    callerService, callerOperation, nullToEmpty(span.serviceName), nullToEmpty(span.operationName), 1);
            edges.merge(
                    edge.key(),
                    edge,
                    (a, b) -> new Edge(a.callerService, a.callerOperation, a.service, a.operation, a.calls + b.calls));
        }
        long[] keys = new long[edges.size()];
        int i = 0;
        for (Map.Entry<Long, Edge> entry : edges.entrySet()) {
            keys[i++] = mix(entry.getKey() + entry.getValue().widthBucket());
        }
        Arrays.sort(keys);
        long hash = 0;
        for (long key : keys) {
            hash = mix(hash ^ key);
        }
        return new PathSignature(hash, new ArrayList<>(edges.values()));
    }

    /** 64 bits that stand for the set of edges and their width buckets. */
    public long hash() {
        return hash;
    }

    /** The edges, in no order. */
    public List<Edge> edges() {
        return edges;
    }

    /** The edges as one line sorted by their text, for a decision's reason. */
    @Override
    public String toString() {
        return String.join("; ", edges.stream().map(Edge::toString).sorted().toList());
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }

    /** SplitMix64's finalizer: every input bit reaches every output bit. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}

package dev.tailsampling.sampling.paths;

import dev.tailsampling.sampling.Span;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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

    /** 2^64 over the golden ratio: an odd multiplier that spreads what it combines. */
    private static final long GOLDEN = 0x9e3779b97f4a7c15L;

    private final long hash;
    private final Edges edges;

    /** One caller → callee pair and how many calls it had. */
    public record Edge(String callerService, String callerOperation, String service, String operation, int calls) {

        /** 0 for one call, 1 for 2–3, 2 for 4–7, 3 for 8 or more. */
        public int widthBucket() {
            return PathSignature.widthBucket(calls);
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
    }

    private PathSignature(long hash, Edges edges) {
        this.hash = hash;
        this.edges = edges;
    }

    /** The signature of a trace's spans. */
    public static PathSignature of(List<Span> spans) {
        // A span's id to the span, first delivery wins: open addressing over the ids' cached hash
        // codes, as every decision pays for it.
        int mask = tableSize(spans.size()) - 1;
        String[] ids = new String[mask + 1];
        Span[] byId = new Span[mask + 1];
        Edges edges = new Edges(spans.size());
        Span[] unique = new Span[spans.size()];
        int count = 0;
        for (Span span : spans) {
            String id = nullToEmpty(span.spanId);
            int slot = slot(ids, id, mask);
            if (ids[slot] == null) {
                ids[slot] = id;
                byId[slot] = span;
                unique[count++] = span;
            }
        }
        for (int i = 0; i < count; i++) {
            Span span = unique[i];
            if (span.parentSpanId == null || span.parentSpanId.isEmpty()) {
                edges.count(ENTRY, "", span);
            } else {
                Span parent = byId[slot(ids, span.parentSpanId, mask)];
                if (parent == null) {
                    edges.count(MISSING, "", span);
                } else {
                    edges.count(nullToEmpty(parent.serviceName), nullToEmpty(parent.operationName), span);
                }
            }
        }
        return new PathSignature(edges.hash(), edges);
    }

    /** 64 bits that stand for the set of edges and their width buckets. */
    public long hash() {
        return hash;
    }

    /** The edges, in no order. */
    public List<Edge> edges() {
        return edges.list();
    }

    /** The edges as one line sorted by their text, for a decision's reason. */
    @Override
    public String toString() {
        return String.join("; ", edges().stream().map(Edge::toString).sorted().toList());
    }

    /** A power of two above {@code entries}: at most two thirds full. */
    private static int tableSize(int entries) {
        return Integer.highestOneBit(Math.max(1, entries + entries / 2)) << 1;
    }

    /** The slot of {@code id} in {@code ids}, or the empty one where it would go. */
    private static int slot(String[] ids, String id, int mask) {
        int hash = id.hashCode();
        int slot = (hash ^ (hash >>> 16)) & mask;
        while (ids[slot] != null && !ids[slot].equals(id)) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private static int widthBucket(int calls) {
        return Math.min(3, 31 - Integer.numberOfLeadingZeros(calls));
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

    /**
     * The calls of each edge, in an open-addressed table keyed by the hash of the edge's four names
     * (the names' own hash codes are cached in their strings): one pass with no object a span, as
     * the decision of every trace pays for it. Edge objects are made only when asked for.
     */
    private static final class Edges {
        private final long[] keys;
        private final int[] calls;
        private final String[] callerServices;
        private final String[] callerOperations;
        private final Span[] callees;
        private int size;

        Edges(int spans) {
            int capacity = tableSize(spans);
            keys = new long[capacity];
            calls = new int[capacity];
            callerServices = new String[capacity];
            callerOperations = new String[capacity];
            callees = new Span[capacity];
        }

        void count(String callerService, String callerOperation, Span callee) {
            long key = callerService.hashCode();
            key = key * GOLDEN + callerOperation.hashCode();
            key = key * GOLDEN + nullToEmpty(callee.serviceName).hashCode();
            key = mix(key * GOLDEN + nullToEmpty(callee.operationName).hashCode());
            int mask = keys.length - 1;
            int slot = (int) key & mask;
            while (calls[slot] != 0 && keys[slot] != key) {
                slot = (slot + 1) & mask;
            }
            if (calls[slot] == 0) {
                keys[slot] = key;
                callerServices[slot] = callerService;
                callerOperations[slot] = callerOperation;
                callees[slot] = callee;
                size++;
            }
            calls[slot]++;
        }

        /** The edges' keys with their width buckets, sorted so that the order of spans is gone. */
        long hash() {
            long[] sorted = new long[size];
            int n = 0;
            for (int slot = 0; slot < keys.length; slot++) {
                if (calls[slot] != 0) {
                    sorted[n++] = mix(keys[slot] + widthBucket(calls[slot]));
                }
            }
            Arrays.sort(sorted);
            long hash = 0;
            for (long key : sorted) {
                hash = hash * GOLDEN + key;
            }
            return mix(hash);
        }

        List<Edge> list() {
            List<Edge> list = new ArrayList<>(size);
            for (int slot = 0; slot < keys.length; slot++) {
                if (calls[slot] != 0) {
                    list.add(new Edge(
                            callerServices[slot],
                            callerOperations[slot],
                            nullToEmpty(callees[slot].serviceName),
                            nullToEmpty(callees[slot].operationName),
                            calls[slot]));
                }
            }
            return list;
        }
    }
}

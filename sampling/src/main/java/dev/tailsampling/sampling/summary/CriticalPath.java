package dev.tailsampling.sampling.summary;

import dev.tailsampling.sampling.Span;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The chain of spans that sets a trace's end-to-end duration. Walking back from the end of a span,
 * the child that ends last is what the span waited for: it is on the path up to where it ends, and
 * before its start the span waited for the child that ended last before that, and so on. Time that
 * no child covers is the span's own (self) time. Overlapping children share the path: the later one
 * counts from its end back to its start, the earlier one only up to where the later one started.
 *
 * <p>Every span is clamped to its parent's window, so clock skew between hosts cannot make the path
 * longer than the trace. Spans whose parent is not in the trace (a missing root) hang from the
 * trace itself: the path then runs through them, and gaps between them belong to no span.
 */
public final class CriticalPath {
    private static final Comparator<Span> LAST_END_FIRST =
            Comparator.comparingLong((Span s) -> s.endTimeUnixNano).reversed();

    private final Map<String, List<Span>> children = new HashMap<>();
    private final Set<String> visited = new HashSet<>();
    private final List<PathStep> steps = new ArrayList<>();
    private final long traceStart;

    private CriticalPath(long traceStart) {
        this.traceStart = traceStart;
    }

    /** The critical path of one trace's spans, in order of where each step starts on the path. */
    public static List<PathStep> of(List<Span> spans) {
        if (spans.isEmpty()) {
            return List.of();
        }
        long start = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;
        Set<String> ids = new HashSet<>();
        for (Span span : spans) {
            start = Math.min(start, span.startTimeUnixNano);
            end = Math.max(end, span.endTimeUnixNano);
            ids.add(span.spanId);
        }
        CriticalPath path = new CriticalPath(start);
        List<Span> topLevel = new ArrayList<>();
        for (Span span : spans) {
            boolean hasParent = !span.isRoot() && ids.contains(span.parentSpanId);
            if (hasParent) {
                path.children.computeIfAbsent(span.parentSpanId, k -> new ArrayList<>()).add(span);
            } else {
                topLevel.add(span);
            }
        }
        path.followChildren(topLevel, start, end);
        // Steps were found parent first, later children first; a stable sort keeps a parent ahead
        // of a child that starts with it.
        path.steps.sort(Comparator.comparingLong(step -> step.startOffsetNs));
        return path.steps;
    }

    /** Walks {@code span} over the window [from, to] of its parent, adding it and its path. */
    private void walk(Span span, long from, long to) {
        if (!visited.add(span.spanId)) {
            return; // a repeated span id or a parent cycle: count each span once
        }
        long spanFrom = Math.max(span.startTimeUnixNano, from);
        long spanTo = Math.min(span.endTimeUnixNano, to);
        PathStep step =
                new PathStep(
                        span.spanId,
                        span.serviceName,
                        span.operationName,
                        spanFrom - traceStart,
                        span.durationNs);
        steps.add(step);
        step.selfTimeNs = followChildren(children.getOrDefault(span.spanId, List.of()), spanFrom, spanTo);
    }

    /**
     * Follows {@code spans}, the children of a window [from, to], from the window's end back to its
     * start; returns the time in the window that none of them covers.
     */
    private long followChildren(List<Span> spans, long from, long to) {
        List<Span> byEnd = new ArrayList<>(spans);
        byEnd.sort(LAST_END_FIRST);
        long cursor = to;
        long uncovered = 0;
        for (Span child : byEnd) {
            if (cursor <= from) {
                break;
            }
            if (child.startTimeUnixNano >= cursor || child.endTimeUnixNano <= from) {
                continue; // runs beside a later child, or wholly outside the window
            }
            long childEnd = Math.min(child.endTimeUnixNano, cursor);
            uncovered += cursor - childEnd;
            walk(child, from, childEnd);
            cursor = Math.max(child.startTimeUnixNano, from);
        }
        return uncovered + Math.max(0, cursor - from);
    }
}

package dev.tailsampling.sampling.summary;

import dev.tailsampling.sampling.Span;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
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
 *
 * <p>The walk keeps its own stack rather than recursing, since a producer can send a parent chain
 * thousands of spans deep; below {@link #MAX_DEPTH} levels the path stops descending and the
 * deepest step's children count as its self time ({@link Result#cut}).
 */
public final class CriticalPath {
    /** How many levels of parent and child the path follows. */
    public static final int MAX_DEPTH = 1_000;

    private static final Comparator<Span> LAST_END_FIRST =
            Comparator.comparingLong((Span s) -> s.endTimeUnixNano).reversed();

    /** The steps, in order of where each starts on the path, and whether the depth cap cut the walk. */
    public record Result(List<PathStep> steps, boolean cut) {}

    /**
     * The children of a window [from, to], followed from the window's end back to its start; the
     * cursor is where the part already followed begins. {@code step} is the window's own span, null
     * for the trace itself.
     */
    private static final class Window {
        final PathStep step;
        final List<Span> byEnd;
        final long from;
        long cursor;
        long uncovered;
        int next;

        Window(PathStep step, List<Span> children, long from, long to) {
            this.step = step;
            this.byEnd = new ArrayList<>(children);
            this.byEnd.sort(LAST_END_FIRST);
            this.from = from;
            this.cursor = to;
        }

        /** Time in the window that none of the followed children covers. */
        long selfTime() {
            return uncovered + Math.max(0, cursor - from);
        }
    }

    private CriticalPath() {}

    /** The critical path of one trace's spans, in order of where each step starts on the path. */
    public static List<PathStep> of(List<Span> spans) {
        return walk(spans, MAX_DEPTH).steps();
    }

    /** The critical path, following at most {@code maxDepth} levels below the trace. */
    public static Result walk(List<Span> spans, int maxDepth) {
        if (spans.isEmpty()) {
            return new Result(List.of(), false);
        }
        long start = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;
        Set<String> ids = new HashSet<>();
        for (Span span : spans) {
            start = Math.min(start, span.startTimeUnixNano);
            end = Math.max(end, span.endTimeUnixNano);
            ids.add(span.spanId);
        }
        Map<String, List<Span>> children = new HashMap<>();
        List<Span> topLevel = new ArrayList<>();
        for (Span span : spans) {
            if (!span.isRoot() && ids.contains(span.parentSpanId)) {
                children.computeIfAbsent(span.parentSpanId, k -> new ArrayList<>())
                        .add(span);
            } else {
                topLevel.add(span);
            }
        }

        List<PathStep> steps = new ArrayList<>();
        // A repeated span id or a parent cycle: each span counts once.
        Set<String> visited = new HashSet<>();
        boolean cut = false;
        Deque<Window> stack = new ArrayDeque<>();
        stack.push(new Window(null, topLevel, start, end));
        while (!stack.isEmpty()) {
            Window window = stack.peek();
            Window descend = null;
            while (descend == null && window.next < window.byEnd.size() && window.cursor > window.from) {
                Span child = window.byEnd.get(window.next++);
                if (child.startTimeUnixNano >= window.cursor || child.endTimeUnixNano <= window.from) {
                    continue; // runs beside a later child, or wholly outside the window
                }
                long childEnd = Math.min(child.endTimeUnixNano, window.cursor);
                long childStart = Math.max(child.startTimeUnixNano, window.from);
                window.uncovered += window.cursor - childEnd;
                window.cursor = childStart;
                if (!visited.add(child.spanId)) {
                    continue;
                }
                PathStep step = new PathStep(
                        child.spanId, child.serviceName, child.operationName, childStart - start, child.durationNs);
                steps.add(step);
                List<Span> below = children.getOrDefault(child.spanId, List.of());
                if (stack.size() >= maxDepth && !below.isEmpty()) {
                    cut = true;
                    below = List.of();
                }
                descend = new Window(step, below, childStart, childEnd);
            }
            if (descend != null) {
                stack.push(descend);
            } else {
                stack.pop();
                if (window.step != null) {
                    window.step.selfTimeNs = window.selfTime();
                }
            }
        }
        // Steps were found parent first, later children first; a stable sort keeps a parent ahead
        // of a child that starts with it.
        steps.sort(Comparator.comparingLong(step -> step.startOffsetNs));
        return new Result(steps, cut);
    }
}

package dev.tailsampling.sampling.metrics;

import dev.tailsampling.sampling.Span;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Calls of a kept trace along one edge of the service graph in one minute: a span whose parent is
 * in another service is a call from the parent's service and operation to the span's. Each call
 * counts the trace's adjusted count ({@link #weight}), so that summed over kept traces the calls
 * estimate every call made, kept or not; durations and errors are the called span's.
 */
public class EdgeCalls {
    public String callerService;
    public String callerOperation;
    public String calleeService;
    public String calleeOperation;
    /** Start of the minute the calls started in, Unix milliseconds. */
    public long minuteMillis;

    public long calls;
    public long errors;
    /** What each call stands for: 1 / the probability its trace was kept with. */
    public double weight = 1.0;
    /** The called spans' durations in nanoseconds, one per call. */
    public long[] durationsNs = new long[0];

    public EdgeCalls() {}

    /** The key the calls of one row of {@code service_edges} share. */
    public String key() {
        return callerService
                + '\u0000'
                + callerOperation
                + '\u0000'
                + calleeService
                + '\u0000'
                + calleeOperation
                + '\u0000'
                + minuteMillis;
    }

    /** The calls between services in the spans of one kept trace, one per edge, minute and weight. */
    public static List<EdgeCalls> of(List<Span> spans) {
        Map<String, Span> byId = new HashMap<>();
        for (Span span : spans) {
            byId.putIfAbsent(span.spanId, span);
        }
        Map<List<Object>, EdgeCalls> edges = new LinkedHashMap<>();
        for (Span span : spans) {
            Span parent = span.isRoot() ? null : byId.get(span.parentSpanId);
            if (parent == null || parent.serviceName.equals(span.serviceName)) {
                continue;
            }
            long minuteMillis = OperationSample.minuteMillis(span.startTimeUnixNano);
            EdgeCalls edge = edges.computeIfAbsent(
                    List.of(
                            parent.serviceName,
                            parent.operationName,
                            span.serviceName,
                            span.operationName,
                            minuteMillis,
                            span.adjustedCount),
                    k -> {
                        EdgeCalls created = new EdgeCalls();
                        created.callerService = parent.serviceName;
                        created.callerOperation = parent.operationName;
                        created.calleeService = span.serviceName;
                        created.calleeOperation = span.operationName;
                        created.minuteMillis = minuteMillis;
                        created.weight = span.adjustedCount;
                        return created;
                    });
            edge.durationsNs = Arrays.copyOf(edge.durationsNs, edge.durationsNs.length + 1);
            edge.durationsNs[edge.durationsNs.length - 1] = span.durationNs;
            edge.calls++;
            if (span.error) {
                edge.errors++;
            }
        }
        return List.copyOf(edges.values());
    }
}

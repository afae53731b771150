package dev.tailsampling.sampling.summary;

import dev.tailsampling.sampling.Span;
import dev.tailsampling.sampling.SpanLink;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * What is kept of a trace for long after its spans are gone: where it started, how long it took,
 * what it touched, the path that set its duration, what failed, and how it was sampled.
 */
public class KeptTrace {
    public String traceId;
    /** The root span's service and operation, or the earliest span's when the root is missing. */
    public String rootServiceName;

    public String rootOperationName;
    public long startTimeUnixNano;
    /** From the earliest start to the latest end of any span. */
    public long durationNs;

    public int spanCount;
    public int errorCount;
    /** Every service with a span in the trace, sorted. */
    public List<String> services = new ArrayList<>();

    public List<PathStep> criticalPath = new ArrayList<>();
    public List<ErrorSpan> errorSpans = new ArrayList<>();
    /** The links by which this trace's spans follow from spans of other traces. */
    public List<FollowsFrom> followsFrom = new ArrayList<>();

    public String samplingPolicy;
    public String samplingTrigger;
    public double sampleProbability;
    public double adjustedCount;
    public boolean traceIncomplete;
    /** What is missing from this summary and why (a critical path cut at its depth cap), or null. */
    public String summaryNote;

    public KeptTrace() {}

    /** The summary of one kept trace from its spans, which carry the sampling decision. */
    public static KeptTrace of(List<Span> spans) {
        if (spans.isEmpty()) {
            throw new IllegalArgumentException("a kept trace has at least one span");
        }
        KeptTrace trace = new KeptTrace();
        Span first = spans.get(0);
        trace.traceId = first.traceId;
        trace.samplingPolicy = first.samplingPolicy;
        trace.samplingTrigger = first.samplingTrigger;
        trace.sampleProbability = first.sampleProbability;
        trace.adjustedCount = first.adjustedCount;
        trace.traceIncomplete = first.traceIncomplete;

        Span root = null;
        Span earliest = first;
        long end = Long.MIN_VALUE;
        TreeSet<String> services = new TreeSet<>();
        for (Span span : spans) {
            if (root == null && span.isRoot()) {
                root = span;
            }
            if (span.startTimeUnixNano < earliest.startTimeUnixNano) {
                earliest = span;
            }
            end = Math.max(end, span.endTimeUnixNano);
            services.add(span.serviceName);
            if (span.error) {
                trace.errorSpans.add(errorSpan(span));
            }
            for (SpanLink link : span.links) {
                if ("follows_from".equals(link.relationship)) {
                    FollowsFrom follows = new FollowsFrom();
                    follows.spanId = span.spanId;
                    follows.linkedTraceId = link.traceId;
                    follows.linkedSpanId = link.spanId;
                    trace.followsFrom.add(follows);
                }
            }
        }
        Span named = root != null ? root : earliest;
        trace.rootServiceName = named.serviceName;
        trace.rootOperationName = named.operationName;
        trace.startTimeUnixNano = earliest.startTimeUnixNano;
        trace.durationNs = end - earliest.startTimeUnixNano;
        trace.spanCount = spans.size();
        trace.errorCount = trace.errorSpans.size();
        trace.services = new ArrayList<>(services);
        // The path is the one part that follows parent links: whatever it meets, the summary stands.
        try {
            CriticalPath.Result path = CriticalPath.walk(spans, CriticalPath.MAX_DEPTH);
            trace.criticalPath = path.steps();
            if (path.cut()) {
                trace.summaryNote = "critical path cut at depth " + CriticalPath.MAX_DEPTH;
            }
        } catch (RuntimeException e) {
            trace.criticalPath = new ArrayList<>();
            trace.summaryNote = "no critical path: " + e;
        }
        return trace;
    }

    private static ErrorSpan errorSpan(Span span) {
        ErrorSpan error = new ErrorSpan();
        error.spanId = span.spanId;
        error.serviceName = span.serviceName;
        error.operationName = span.operationName;
        error.statusMessage = span.statusMessage;
        error.httpStatusCode = span.httpStatusCode;
        return error;
    }
}

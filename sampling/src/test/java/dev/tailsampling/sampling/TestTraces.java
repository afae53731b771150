package dev.tailsampling.sampling;

import java.util.List;

/** Builds traces for policy tests. */
public final class TestTraces {
    private TestTraces() {}

    public static TraceView trace(String traceId, long durationMillis, boolean error) {
        TraceSummary summary = TraceSummary.firstSeenAt(0);
        summary.addSpan(1_000_000_000L, 1_000_000_000L + durationMillis * 1_000_000L, error, true, null, null);
        summary.byteCount = 100;
        return TraceView.of(traceId, summary, () -> {
            throw new AssertionError("policies on errors and latency must not read spans");
        });
    }

    /** A trace of the given spans; its summary is computed from them. */
    public static TraceView of(String traceId, List<Span> spans) {
        TraceSummary summary = TraceSummary.firstSeenAt(0);
        for (Span span : spans) {
            summary.addSpan(span);
            summary.byteCount += 300;
        }
        return TraceView.of(traceId, summary, () -> spans);
    }

    /** A span of {@code service} lasting {@code millis} from time 0; {@code attributes} in pairs. */
    public static Span span(String service, String operation, long millis, String... attributes) {
        Span span = new Span();
        span.traceId = "00000000000000000000000000000001";
        span.spanId = "0000000000000001";
        span.serviceName = service;
        span.operationName = operation;
        span.statusCode = "UNSET";
        span.startTimeUnixNano = 1_000_000_000L;
        span.endTimeUnixNano = span.startTimeUnixNano + millis * 1_000_000L;
        for (int i = 0; i < attributes.length; i += 2) {
            span.attributes.put(attributes[i], attributes[i + 1]);
        }
        return span;
    }

    /** What {@code policy} says of a trace of {@code spans} whose randomness is half the range. */
    public static Decision.Outcome outcome(SamplingPolicy policy, Span... spans) {
        return policy.evaluate(of(traceIdWithRandomness(1L << 55), List.of(spans)))
                .outcome();
    }

    /** A trace id whose 56 random bits are {@code randomness}. */
    public static String traceIdWithRandomness(long randomness) {
        return String.format("%018x%014x", 0xabcdefL, randomness);
    }
}

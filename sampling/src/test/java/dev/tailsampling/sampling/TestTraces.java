package dev.tailsampling.sampling;

/** Builds traces for policy tests. */
final class TestTraces {
    private TestTraces() {}

    static TraceView trace(String traceId, long durationMillis, boolean error) {
        TraceSummary summary = TraceSummary.firstSeenAt(0);
        summary.add(1, 1_000_000_000L, 1_000_000_000L + durationMillis * 1_000_000L, error, true, 0);
        return TraceView.of(
                traceId,
                summary,
                () -> {
                    throw new AssertionError("policies on errors and latency must not read spans");
                });
    }

    /** A trace id whose 56 random bits are {@code randomness}. */
    static String traceIdWithRandomness(long randomness) {
        return String.format("%018x%014x", 0xabcdefL, randomness);
    }
}

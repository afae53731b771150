package dev.tailsampling.sampling.summary;

/**
 * A {@code follows_from} link of a kept trace: one of its spans was caused by a span of another
 * trace (a message consumed, a batch job started) without being that span's child.
 */
public class FollowsFrom {
    /** The span of this trace that carries the link. */
    public String spanId;

    public String linkedTraceId;
    public String linkedSpanId;

    public FollowsFrom() {}
}

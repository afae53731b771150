package dev.tailsampling.sampling;

import java.util.HashMap;
import java.util.Map;

/** A link from a span to a span of another (or the same) trace. */
public class SpanLink {
    public String traceId;
    public String spanId;
    public String traceState = "";
    /** {@code child_of} or {@code follows_from}. */
    public String relationship;

    public Map<String, String> attributes = new HashMap<>();

    public SpanLink() {}
}

package dev.tailsampling.sampling;

import java.util.HashMap;
import java.util.Map;

/** A timed event inside a span (an exception, a log line). */
public class SpanEvent {
    public long timeUnixNano;
    public String name;
    public Map<String, String> attributes = new HashMap<>();

    public SpanEvent() {}

    public SpanEvent(long timeUnixNano, String name, Map<String, String> attributes) {
        this.timeUnixNano = timeUnixNano;
        this.name = name;
        this.attributes = attributes;
    }
}

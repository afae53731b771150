package dev.tailsampling.sampling.propagation;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * W3C Trace Context headers ({@code traceparent}, {@code tracestate}) to and from a span context,
 * through OpenTelemetry's own W3C propagator, for carriers that are not HTTP requests.
 */
public final class TraceParent {
    public static final String TRACEPARENT = "traceparent";
    public static final String TRACESTATE = "tracestate";

    private static final TextMapGetter<Map<String, String>> MAP_GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private TraceParent() {}

    /**
     * The remote span context the headers name; {@link SpanContext#getInvalid()} when the
     * {@code traceparent} is missing or malformed ({@code tracestate} may be null).
     */
    public static SpanContext parse(String traceparent, String tracestate) {
        Map<String, String> headers = new HashMap<>();
        if (traceparent != null) {
            headers.put(TRACEPARENT, traceparent);
        }
        if (tracestate != null) {
            headers.put(TRACESTATE, tracestate);
        }
        return fromHeaders(headers);
    }

    /** The remote span context of a carrier's W3C headers, or the invalid context. */
    public static SpanContext fromHeaders(Map<String, String> headers) {
        Context extracted = W3CTraceContextPropagator.getInstance().extract(Context.root(), headers, MAP_GETTER);
        return Span.fromContext(extracted).getSpanContext();
    }

    /** The W3C headers of a span context: {@code traceparent} and, when it has one, {@code tracestate}. */
    public static Map<String, String> headers(SpanContext context) {
        Map<String, String> headers = new HashMap<>();
        W3CTraceContextPropagator.getInstance().inject(Context.root().with(Span.wrap(context)), headers, Map::put);
        return headers;
    }

    /** {@code 00-<trace id>-<span id>-<flags>}, or null for an invalid context. */
    public static String format(SpanContext context) {
        return headers(context).get(TRACEPARENT);
    }

    /** The header names the propagator reads and writes. */
    public static List<String> fields() {
        return List.copyOf(W3CTraceContextPropagator.getInstance().fields());
    }
}

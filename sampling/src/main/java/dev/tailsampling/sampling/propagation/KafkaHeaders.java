package dev.tailsampling.sampling.propagation;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Trace context through Kafka record headers: the producer injects its span's W3C headers, the
 * consumer extracts them and either continues the trace as a child or starts a new trace that
 * links back with a {@code follows_from} relationship, which the job stores with the link and
 * lists in the trace's summary.
 */
public final class KafkaHeaders {
    /** The link attribute that names the relationship; the job reads it when it decodes links. */
    public static final AttributeKey<String> RELATIONSHIP = AttributeKey.stringKey("relationship");

    /** How a consumer's span relates to the producer's trace. */
    public enum Continuation {
        /** The consumer's span is a child of the producer's span, in the same trace. */
        CHILD,
        /** The consumer starts a new trace whose first span links to the producer's span. */
        NEW_TRACE_FOLLOWS_FROM
    }

    private KafkaHeaders() {}

    /** Writes the span context of {@code context} into the headers, replacing any already there. */
    public static void inject(Context context, Headers headers) {
        Map<String, String> w3c = TraceParent.headers(Span.fromContext(context).getSpanContext());
        for (String field : TraceParent.fields()) {
            headers.remove(field);
        }
        w3c.forEach((key, value) -> headers.add(key, value.getBytes(StandardCharsets.UTF_8)));
    }

    /** The producer's span context from the headers, or the invalid context when they carry none. */
    public static SpanContext extract(Headers headers) {
        Map<String, String> w3c = new HashMap<>();
        for (String field : TraceParent.fields()) {
            Header header = headers.lastHeader(field);
            if (header != null && header.value() != null) {
                w3c.put(field, new String(header.value(), StandardCharsets.UTF_8));
            }
        }
        return TraceParent.fromHeaders(w3c);
    }

    /**
     * A CONSUMER span builder for a record with these headers: a child of the producer's span, or
     * the root of a new trace with a {@code follows_from} link to it. Without a producer context it
     * is a plain root.
     */
    public static SpanBuilder consumerSpan(Tracer tracer, String name, Headers headers, Continuation continuation) {
        SpanContext producer = extract(headers);
        SpanBuilder builder = tracer.spanBuilder(name).setSpanKind(SpanKind.CONSUMER);
        if (!producer.isValid()) {
            return builder.setNoParent();
        }
        if (continuation == Continuation.CHILD) {
            return builder.setParent(Context.root().with(Span.wrap(producer)));
        }
        return builder.setNoParent().addLink(producer, Attributes.of(RELATIONSHIP, "follows_from"));
    }
}

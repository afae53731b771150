package dev.tailsampling.operators.otlp;

import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Rewrites the attribute lists of a span (its own, its events', its links') or of a resource with
 * one function, which returns null for a list it leaves as it is. What no list of changes is
 * returned itself, so that a caller can tell by identity whether it must re-encode.
 */
final class AttributeRewrite {
    private AttributeRewrite() {}

    static Span of(Span span, UnaryOperator<List<KeyValue>> rewrite) {
        Span.Builder builder = null;
        List<KeyValue> attributes = rewrite.apply(span.getAttributesList());
        if (attributes != null) {
            builder = span.toBuilder().clearAttributes().addAllAttributes(attributes);
        }
        for (int i = 0; i < span.getEventsCount(); i++) {
            Span.Event event = span.getEvents(i);
            List<KeyValue> rewritten = rewrite.apply(event.getAttributesList());
            if (rewritten != null) {
                builder = builder == null ? span.toBuilder() : builder;
                builder.setEvents(i, event.toBuilder().clearAttributes().addAllAttributes(rewritten));
            }
        }
        for (int i = 0; i < span.getLinksCount(); i++) {
            Span.Link link = span.getLinks(i);
            List<KeyValue> rewritten = rewrite.apply(link.getAttributesList());
            if (rewritten != null) {
                builder = builder == null ? span.toBuilder() : builder;
                builder.setLinks(i, link.toBuilder().clearAttributes().addAllAttributes(rewritten));
            }
        }
        return builder == null ? span : builder.build();
    }

    static Resource of(Resource resource, UnaryOperator<List<KeyValue>> rewrite) {
        List<KeyValue> rewritten = rewrite.apply(resource.getAttributesList());
        return rewritten == null
                ? resource
                : resource.toBuilder()
                        .clearAttributes()
                        .addAllAttributes(rewritten)
                        .build();
    }
}

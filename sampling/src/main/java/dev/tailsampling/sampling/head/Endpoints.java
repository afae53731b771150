package dev.tailsampling.sampling.head;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.contrib.sampler.consistent56.Predicate;
import io.opentelemetry.sdk.trace.data.LinkData;
import java.util.List;

/**
 * A named group of endpoints: a span is one of them when its name, {@code http.route} or URL path
 * ({@code url.path}, or the older {@code http.target}) equals an entry, or starts with an entry
 * that ends in {@code *}.
 */
public final class Endpoints implements Predicate {
    private static final List<AttributeKey<String>> PLACES = List.of(
            AttributeKey.stringKey("http.route"),
            AttributeKey.stringKey("url.path"),
            AttributeKey.stringKey("http.target"));

    private final String name;
    private final List<String> entries;

    public Endpoints(String name, List<String> entries) {
        this.name = name;
        this.entries = List.copyOf(entries);
    }

    public boolean test(String spanName, Attributes attributes) {
        if (matches(spanName)) {
            return true;
        }
        if (attributes != null) {
            for (AttributeKey<String> key : PLACES) {
                if (matches(attributes.get(key))) {
                    return true;
                }
            }
        }
        return false;
    }

    private boolean matches(String value) {
        if (value == null) {
            return false;
        }
        for (String entry : entries) {
            if (entry.endsWith("*") ? value.startsWith(entry.substring(0, entry.length() - 1)) : value.equals(entry)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean spanMatches(
            Context parentContext,
            String spanName,
            SpanKind spanKind,
            Attributes attributes,
            List<LinkData> parentLinks) {
        return test(spanName, attributes);
    }

    @Override
    public String toString() {
        return name + " " + entries;
    }
}

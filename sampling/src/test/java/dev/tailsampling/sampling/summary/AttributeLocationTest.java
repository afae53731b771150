package dev.tailsampling.sampling.summary;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.sampling.Span;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AttributeLocationTest {
    private static final long HOUR_NANOS = 3_600_000_000_000L;
    private static final long T0 = 490_000L * HOUR_NANOS;

    private static Span span(String service, long startNanos, Map<String, String> attributes) {
        Span span = new Span();
        span.traceId = "0af7651916cd43dd8448eb211c80319c";
        span.serviceName = service;
        span.startTimeUnixNano = startNanos;
        span.attributes.putAll(attributes);
        return span;
    }

    private static List<String> described(List<AttributeLocation> locations) {
        return locations.stream()
                .map(l -> l.key + "=" + l.value + " " + l.serviceName + " "
                        + (l.hourMillis - T0 / 1_000_000L) / 3_600_000L + " " + l.traceId.substring(0, 4))
                .toList();
    }

    @Test
    void oneLocationPerIndexedValueHourAndServiceOthersIgnored() {
        List<Span> spans = List.of(
                span("frontend", T0, Map.of("user.id", "42", "http.method", "GET")),
                span("cart", T0 + 1, Map.of("user.id", "42")),
                span("cart", T0 + 2, Map.of("user.id", "42", "feature.flag", "new_checkout")),
                span("cart", T0 + HOUR_NANOS, Map.of("user.id", "42")),
                span("cart", T0 + HOUR_NANOS + 1, Map.of("user.id", "43")));

        List<AttributeLocation> locations = AttributeLocation.of(spans, Set.of("user.id", "feature.flag"));

        assertThat(described(locations))
                .containsExactlyInAnyOrder(
                        "user.id=42 frontend 0 0af7",
                        "user.id=42 cart 0 0af7",
                        "feature.flag=new_checkout cart 0 0af7",
                        "user.id=42 cart 1 0af7",
                        "user.id=43 cart 1 0af7");
    }

    @Test
    void aResourceAttributeCountsWhenTheSpanLacksIt() {
        Span fromResource = span("frontend", T0, Map.of());
        fromResource.resourceAttributes.put("tenant", "acme");
        Span own = span("frontend", T0, Map.of("tenant", "globex"));
        own.resourceAttributes.put("tenant", "acme");

        assertThat(described(AttributeLocation.of(List.of(fromResource, own), Set.of("tenant"))))
                .containsExactly("tenant=acme frontend 0 0af7", "tenant=globex frontend 0 0af7");
    }

    @Test
    void nothingIndexedWithoutKeys() {
        assertThat(AttributeLocation.of(List.of(span("frontend", T0, Map.of("user.id", "42"))), Set.of()))
                .isEmpty();
    }
}

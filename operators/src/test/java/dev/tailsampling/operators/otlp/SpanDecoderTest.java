package dev.tailsampling.operators.otlp;

import static dev.tailsampling.operators.otlp.OtlpTestData.attr;
import static dev.tailsampling.operators.otlp.OtlpTestData.resourceSpans;
import static dev.tailsampling.operators.otlp.OtlpTestData.span;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.sampling.Span;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpanDecoderTest {
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

    private static Span decode(io.opentelemetry.proto.trace.v1.Span.Builder span) {
        return decode(resourceSpans("checkout", span));
    }

    private static Span decode(ResourceSpans resourceSpans) {
        List<Span> spans = new ArrayList<>();
        SpanDecoder.decode(OtlpTestData.request(resourceSpans).toByteArray(), spans);
        assertThat(spans).hasSize(1);
        return spans.get(0);
    }

    @Test
    void mapsIdentityTimingAndMetadata() {
        Span span = decode(span(TRACE, "00f067aa0ba902b8", "00f067aa0ba902b7", "charge", 10, 250)
                .setTraceState("ot=th:8")
                .setKind(io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_CLIENT));

        assertThat(span.traceId).isEqualTo(TRACE);
        assertThat(span.spanId).isEqualTo("00f067aa0ba902b8");
        assertThat(span.parentSpanId).isEqualTo("00f067aa0ba902b7");
        assertThat(span.isRoot()).isFalse();
        assertThat(span.traceState).isEqualTo("ot=th:8");
        assertThat(span.durationNs).isEqualTo(250 * OtlpTestData.MILLIS);
        assertThat(span.serviceName).isEqualTo("checkout");
        assertThat(span.operationName).isEqualTo("charge");
        assertThat(span.spanKind).isEqualTo("CLIENT");
        assertThat(span.statusCode).isEqualTo("UNSET");
        assertThat(span.scopeName).isEqualTo("shop");
        assertThat(span.deploymentEnvironment).isEqualTo("test");
        assertThat(span.resourceAttributes).containsEntry("service.name", "checkout");
        assertThat(span.error).isFalse();
    }

    @Test
    void readsNewAndOldSemanticConventionNames() {
        Span current = decode(span(TRACE, "00f067aa0ba902b7", "", "GET", 0, 1)
                .addAttributes(attr("http.request.method", "GET"))
                .addAttributes(attr("http.response.status_code", 503))
                .addAttributes(attr("url.path", "/cart"))
                .addAttributes(attr("db.system.name", "postgresql"))
                .addAttributes(attr("db.query.text", "SELECT 1")));
        Span old = decode(span(TRACE, "00f067aa0ba902b7", "", "GET", 0, 1)
                .addAttributes(attr("http.method", "POST"))
                .addAttributes(attr("http.status_code", "404"))
                .addAttributes(attr("http.target", "/pay"))
                .addAttributes(attr("db.system", "mysql"))
                .addAttributes(attr("db.statement", "SELECT 2")));

        assertThat(current.httpMethod).isEqualTo("GET");
        assertThat(current.httpStatusCode).isEqualTo(503);
        assertThat(current.urlPath).isEqualTo("/cart");
        assertThat(current.dbSystem).isEqualTo("postgresql");
        assertThat(current.dbStatement).isEqualTo("SELECT 1");
        assertThat(current.error).as("HTTP 5xx is an error").isTrue();
        assertThat(old.httpMethod).isEqualTo("POST");
        assertThat(old.httpStatusCode).isEqualTo(404);
        assertThat(old.urlPath).isEqualTo("/pay");
        assertThat(old.dbSystem).isEqualTo("mysql");
        assertThat(old.dbStatement).isEqualTo("SELECT 2");
        assertThat(old.error).isFalse();
    }

    @Test
    void anErrorAttributeMakesAnError() {
        assertThat(decode(span(TRACE, "00f067aa0ba902b7", "", "x", 0, 1).addAttributes(attr("error", "true"))).error)
                .isTrue();
        assertThat(decode(OtlpTestData.error(span(TRACE, "00f067aa0ba902b7", "", "x", 0, 1))).statusCode)
                .isEqualTo("ERROR");
    }

    @Test
    void rendersArraysAsJsonAndKeepsEventsAndLinks() {
        KeyValue tags = KeyValue.newBuilder()
                .setKey("tags")
                .setValue(AnyValue.newBuilder()
                        .setArrayValue(ArrayValue.newBuilder()
                                .addValues(AnyValue.newBuilder().setStringValue("a"))
                                .addValues(AnyValue.newBuilder().setIntValue(2))))
                .build();
        Span span = decode(span(TRACE, "00f067aa0ba902b7", "", "x", 0, 1)
                .addAttributes(tags)
                .addEvents(io.opentelemetry.proto.trace.v1.Span.Event.newBuilder()
                        .setName("exception")
                        .setTimeUnixNano(OtlpTestData.T0)
                        .addAttributes(attr("exception.type", "IOException")))
                .addLinks(io.opentelemetry.proto.trace.v1.Span.Link.newBuilder()
                        .setTraceId(OtlpTestData.id("0af7651916cd43dd8448eb211c80319c"))
                        .setSpanId(OtlpTestData.id("b7ad6b7169203331"))));

        assertThat(span.attributes).containsEntry("tags", "[\"a\",2]");
        assertThat(span.events).singleElement().satisfies(e -> {
            assertThat(e.name).isEqualTo("exception");
            assertThat(e.attributes).containsEntry("exception.type", "IOException");
        });
        assertThat(span.links).singleElement().satisfies(l -> {
            assertThat(l.traceId).isEqualTo("0af7651916cd43dd8448eb211c80319c");
            assertThat(l.relationship).isEqualTo("follows_from");
        });
    }

    @Test
    void aResourceWithoutServiceNameIsUnknownService() {
        ResourceSpans noService = resourceSpans("x", span(TRACE, "00f067aa0ba902b7", "", "x", 0, 1)).toBuilder()
                .setResource(Resource.getDefaultInstance())
                .build();
        assertThat(decode(noService).serviceName).isEqualTo("unknown_service");
    }
}

package dev.tailsampling.operators.otlp;

import static dev.tailsampling.operators.otlp.OtlpTestData.T0;
import static dev.tailsampling.operators.otlp.OtlpTestData.attr;
import static dev.tailsampling.operators.otlp.OtlpTestData.error;
import static dev.tailsampling.operators.otlp.OtlpTestData.request;
import static dev.tailsampling.operators.otlp.OtlpTestData.resourceSpans;
import static dev.tailsampling.operators.otlp.OtlpTestData.span;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.tailsampling.operators.DeadLetter;
import dev.tailsampling.operators.SpanEnvelope;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class OtlpDecoderTest {
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String ROOT = "00f067aa0ba902b7";
    private static final String CHILD = "00f067aa0ba902b8";

    private final List<SpanEnvelope> spans = new ArrayList<>();
    private final List<DeadLetter> deadLetters = new ArrayList<>();
    private final OtlpDecoder.Output output =
            new OtlpDecoder.Output() {
                @Override
                public void span(SpanEnvelope span) {
                    spans.add(span);
                }

                @Override
                public void deadLetter(DeadLetter deadLetter) {
                    deadLetters.add(deadLetter);
                }
            };

    @Test
    void splitsARequestIntoOneEnvelopePerSpan() {
        byte[] record =
                request(
                                resourceSpans("frontend", span(TRACE, ROOT, "", "GET /", 0, 120)),
                                resourceSpans(
                                        "checkout",
                                        error(span(TRACE, CHILD, ROOT, "charge", 10, 50))))
                        .toByteArray();

        OtlpDecoder.decode(record, output);

        assertThat(deadLetters).isEmpty();
        assertThat(spans).hasSize(2);
        SpanEnvelope root = spans.get(0);
        assertThat(root.traceId).isEqualTo(TRACE);
        assertThat(root.root).isTrue();
        assertThat(root.error).isFalse();
        assertThat(root.startNanos).isEqualTo(T0);
        assertThat(root.endNanos).isEqualTo(T0 + 120 * OtlpTestData.MILLIS);
        SpanEnvelope child = spans.get(1);
        assertThat(child.root).isFalse();
        assertThat(child.error).isTrue();
        assertThat(SpanDecoder.decode(child.payload).serviceName).isEqualTo("checkout");
    }

    @Test
    void sendsAnUnparseableRecordWholeToTheDeadLetters() {
        byte[] garbage = {0x0a, (byte) 0xff, 0x01, 0x02};

        OtlpDecoder.decode(garbage, output);

        assertThat(spans).isEmpty();
        assertThat(deadLetters).singleElement()
                .satisfies(
                        d -> {
                            assertThat(d.reason).isEqualTo(OtlpDecoder.UNPARSEABLE_RECORD);
                            assertThat(d.payload).isEqualTo(garbage);
                            assertThat(d.detail).contains("ExportTraceServiceRequest");
                        });
    }

    static List<Arguments> invalidSpans() {
        return List.of(
                Arguments.of(
                        span(TRACE, ROOT, "", "x", 0, 1).setTraceId(ByteString.EMPTY),
                        OtlpDecoder.MISSING_TRACE_ID),
                Arguments.of(
                        span(TRACE, ROOT, "", "x", 0, 1).setTraceId(ByteString.copyFrom(new byte[16])),
                        OtlpDecoder.INVALID_TRACE_ID),
                Arguments.of(
                        span(TRACE, ROOT, "", "x", 0, 1).setTraceId(OtlpTestData.id("0102030405060708")),
                        OtlpDecoder.INVALID_TRACE_ID),
                Arguments.of(
                        span(TRACE, ROOT, "", "x", 0, 1).setSpanId(ByteString.EMPTY),
                        OtlpDecoder.MISSING_SPAN_ID),
                Arguments.of(
                        span(TRACE, ROOT, "", "x", 0, 1).setSpanId(ByteString.copyFrom(new byte[8])),
                        OtlpDecoder.INVALID_SPAN_ID),
                Arguments.of(
                        span(TRACE, ROOT, "", "x", 0, 1).setSpanId(OtlpTestData.id(TRACE)),
                        OtlpDecoder.INVALID_SPAN_ID),
                Arguments.of(
                        span(TRACE, ROOT, "", "x", 10, 1).setEndTimeUnixNano(T0),
                        OtlpDecoder.END_BEFORE_START));
    }

    @ParameterizedTest
    @MethodSource("invalidSpans")
    void sendsAnInvalidSpanAloneToTheDeadLettersAndKeepsItsNeighbours(
            Span.Builder invalid, String reason) throws Exception {
        byte[] record =
                request(resourceSpans("frontend", span(TRACE, CHILD, ROOT, "ok", 0, 5), invalid))
                        .toByteArray();

        OtlpDecoder.decode(record, output);

        assertThat(spans).singleElement().satisfies(s -> assertThat(s.traceId).isEqualTo(TRACE));
        assertThat(deadLetters).singleElement().satisfies(d -> assertThat(d.reason).isEqualTo(reason));
        DeadLetter deadLetter = deadLetters.get(0);
        assertThat(deadLetter.detail).isNotBlank();
        ExportTraceServiceRequest kept = ExportTraceServiceRequest.parseFrom(deadLetter.payload);
        assertThat(kept.getResourceSpans(0).getScopeSpans(0).getSpansList())
                .containsExactly(invalid.build());
        assertThat(kept.getResourceSpans(0).getResource().getAttributes(0))
                .isEqualTo(attr("service.name", "frontend"));
    }

    @Test
    void anEmptyRecordIsAnEmptyRequest() {
        OtlpDecoder.decode(new byte[0], output);

        assertThat(spans).isEmpty();
        assertThat(deadLetters).isEmpty();
    }
}

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
import dev.tailsampling.operators.TraceFragment;
import dev.tailsampling.sampling.Span;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
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
    private static final String OTHER_TRACE = "0af7651916cd43dd8448eb211c80319c";

    private final List<TraceFragment> fragments = new ArrayList<>();
    private final List<DeadLetter> deadLetters = new ArrayList<>();
    private final OtlpDecoder.Output output =
            new OtlpDecoder.Output() {
                @Override
                public void fragment(TraceFragment fragment) {
                    fragments.add(fragment);
                }

                @Override
                public void deadLetter(DeadLetter deadLetter) {
                    deadLetters.add(deadLetter);
                }
            };

    @Test
    void groupsARecordsSpansIntoOneFragmentPerTrace() {
        byte[] record =
                request(
                                resourceSpans(
                                        "frontend",
                                        span(TRACE, ROOT, "", "GET /", 0, 120),
                                        span(OTHER_TRACE, ROOT, CHILD, "GET /cart", 500, 5)),
                                resourceSpans(
                                        "checkout",
                                        error(span(TRACE, CHILD, ROOT, "charge", 10, 150))))
                        .toByteArray();

        OtlpDecoder.decode(record, output);

        assertThat(deadLetters).isEmpty();
        assertThat(fragments).extracting(f -> f.traceId).containsExactly(TRACE, OTHER_TRACE);
        TraceFragment trace = fragments.get(0);
        assertThat(trace.spanCount).isEqualTo(2);
        assertThat(trace.root).isTrue();
        assertThat(trace.rootService).isEqualTo("frontend");
        assertThat(trace.rootOperation).isEqualTo("GET /");
        assertThat(trace.error).isTrue();
        assertThat(trace.minStartNanos).isEqualTo(T0);
        assertThat(trace.maxEndNanos).isEqualTo(T0 + 160 * OtlpTestData.MILLIS);
        List<Span> spans = new ArrayList<>();
        SpanDecoder.decode(trace.payload, spans);
        assertThat(spans).extracting(s -> s.serviceName + "/" + s.operationName)
                .containsExactly("frontend/GET /", "checkout/charge");
        TraceFragment other = fragments.get(1);
        assertThat(other.spanCount).isEqualTo(1);
        assertThat(other.root).isFalse();
        assertThat(other.rootService).isNull();
        assertThat(other.error).isFalse();
    }

    @Test
    void readsTheHeadProbabilityAndExplicitRandomnessFromTheSpansTracestate() {
        byte[] record =
                request(
                                resourceSpans("frontend", span(TRACE, ROOT, "", "GET /", 0, 120).setTraceState("ot=th:c")),
                                resourceSpans("checkout", span(TRACE, CHILD, ROOT, "charge", 10, 50)),
                                resourceSpans("search", span(OTHER_TRACE, ROOT, "", "GET /q", 0, 5)
                                        .setTraceState("vendor=1,ot=rv:0123456789abcd;th:8")))
                        .toByteArray();

        OtlpDecoder.decode(record, output);

        assertThat(fragments).extracting(f -> f.traceId + " " + f.headProbability + " " + f.headRandomnessExplicit)
                .containsExactly(TRACE + " 0.25 false", OTHER_TRACE + " 0.5 true");
    }

    @Test
    void aRecordOfOneTraceIsItsOwnFragment() {
        byte[] record =
                request(
                                resourceSpans("frontend", span(TRACE, ROOT, "", "GET /", 0, 120)),
                                resourceSpans("checkout", span(TRACE, CHILD, ROOT, "charge", 10, 50)))
                        .toByteArray();

        OtlpDecoder.decode(record, output);

        assertThat(fragments).singleElement().satisfies(f -> {
            assertThat(f.spanCount).isEqualTo(2);
            assertThat(f.payload).isSameAs(record);
        });
    }

    @Test
    void sendsAnUnparseableRecordWholeToTheDeadLetters() {
        byte[] garbage = {0x0a, (byte) 0xff, 0x01, 0x02};

        OtlpDecoder.decode(garbage, output);

        assertThat(fragments).isEmpty();
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
            io.opentelemetry.proto.trace.v1.Span.Builder invalid, String reason) throws Exception {
        byte[] record =
                request(resourceSpans("frontend", span(TRACE, CHILD, ROOT, "ok", 0, 5), invalid))
                        .toByteArray();

        OtlpDecoder.decode(record, output);

        assertThat(fragments).singleElement().satisfies(f -> {
            assertThat(f.traceId).isEqualTo(TRACE);
            assertThat(f.spanCount).isEqualTo(1);
            List<Span> kept = new ArrayList<>();
            SpanDecoder.decode(f.payload, kept);
            assertThat(kept).as("the refused span is not in the fragment")
                    .extracting(s -> s.spanId).containsExactly(CHILD);
        });
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

        assertThat(fragments).isEmpty();
        assertThat(deadLetters).isEmpty();
    }
}

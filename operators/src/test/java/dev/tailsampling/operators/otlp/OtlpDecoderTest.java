package dev.tailsampling.operators.otlp;

import static dev.tailsampling.operators.otlp.OtlpTestData.T0;
import static dev.tailsampling.operators.otlp.OtlpTestData.attr;
import static dev.tailsampling.operators.otlp.OtlpTestData.error;
import static dev.tailsampling.operators.otlp.OtlpTestData.request;
import static dev.tailsampling.operators.otlp.OtlpTestData.resourceSpans;
import static dev.tailsampling.operators.otlp.OtlpTestData.span;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import dev.tailsampling.operators.DeadLetter;
import dev.tailsampling.operators.TraceFragment;
import dev.tailsampling.sampling.Span;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import java.io.ByteArrayOutputStream;
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

    /** Processing time: a day after the fixtures' spans. */
    static final long NOW = T0 / 1_000_000L + 86_400_000L;

    private final OtlpDecoder decoder = new OtlpDecoder(DecodeLimits.DEFAULTS);
    private final CollectingOutput output = new CollectingOutput();
    private final List<TraceFragment> fragments = output.fragments;
    private final List<DeadLetter> deadLetters = output.deadLetters;

    @Test
    void groupsARecordsSpansIntoOneFragmentPerTrace() {
        byte[] record = request(
                        resourceSpans(
                                "frontend",
                                span(TRACE, ROOT, "", "GET /", 0, 120),
                                span(OTHER_TRACE, ROOT, CHILD, "GET /cart", 500, 5)),
                        resourceSpans("checkout", error(span(TRACE, CHILD, ROOT, "charge", 10, 150))))
                .toByteArray();

        decoder.decode(record, NOW, output);

        assertThat(deadLetters).isEmpty();
        assertThat(fragments).extracting(f -> f.traceId).containsExactly(TRACE, OTHER_TRACE);
        TraceFragment trace = fragments.get(0);
        assertThat(trace.spanCount).isEqualTo(2);
        assertThat(trace.rootSeen).isTrue();
        assertThat(trace.rootService).isEqualTo("frontend");
        assertThat(trace.rootOperation).isEqualTo("GET /");
        assertThat(trace.errorSeen).isTrue();
        assertThat(trace.minStartNanos).isEqualTo(T0);
        assertThat(trace.maxEndNanos).isEqualTo(T0 + 160 * OtlpTestData.MILLIS);
        List<Span> spans = new ArrayList<>();
        SpanDecoder.decode(trace.payload, spans);
        assertThat(spans)
                .extracting(s -> s.serviceName + "/" + s.operationName)
                .containsExactly("frontend/GET /", "checkout/charge");
        TraceFragment other = fragments.get(1);
        assertThat(other.spanCount).isEqualTo(1);
        assertThat(other.rootSeen).isFalse();
        assertThat(other.rootService).isNull();
        assertThat(other.errorSeen).isFalse();
    }

    @Test
    void readsTheHeadProbabilityAndExplicitRandomnessFromTheSpansTracestate() {
        byte[] record = request(
                        resourceSpans(
                                "frontend",
                                span(TRACE, ROOT, "", "GET /", 0, 120).setTraceState("ot=th:c")),
                        resourceSpans("checkout", span(TRACE, CHILD, ROOT, "charge", 10, 50)),
                        resourceSpans(
                                "search",
                                span(OTHER_TRACE, ROOT, "", "GET /q", 0, 5)
                                        .setTraceState("vendor=1,ot=rv:0123456789abcd;th:8")))
                .toByteArray();

        decoder.decode(record, NOW, output);

        assertThat(fragments)
                .extracting(f -> f.traceId + " " + f.headProbability + " " + f.headRandomnessExplicit)
                .containsExactly(TRACE + " 0.25 false", OTHER_TRACE + " 0.5 true");
    }

    @Test
    void aRecordOfOneTraceIsItsOwnFragment() {
        byte[] record = request(
                        resourceSpans("frontend", span(TRACE, ROOT, "", "GET /", 0, 120)),
                        resourceSpans("checkout", span(TRACE, CHILD, ROOT, "charge", 10, 50)))
                .toByteArray();

        decoder.decode(record, NOW, output);

        assertThat(fragments).singleElement().satisfies(f -> {
            assertThat(f.spanCount).isEqualTo(2);
            assertThat(f.payload).isSameAs(record);
        });
    }

    @Test
    void sendsAnUnparseableRecordWholeToTheDeadLetters() {
        byte[] garbage = {0x0a, (byte) 0xff, 0x01, 0x02};

        decoder.decode(garbage, NOW, output);

        assertThat(fragments).isEmpty();
        assertThat(deadLetters).singleElement().satisfies(d -> {
            assertThat(d.reason).isEqualTo(OtlpDecoder.UNPARSEABLE_RECORD);
            assertThat(d.payload).isEqualTo(garbage);
            assertThat(d.detail).contains("ExportTraceServiceRequest");
        });
    }

    static List<Arguments> invalidSpans() {
        return List.of(
                Arguments.of(
                        span(TRACE, ROOT, "", "x", 0, 1).setTraceId(ByteString.EMPTY), OtlpDecoder.MISSING_TRACE_ID),
                Arguments.of(
                        span(TRACE, ROOT, "", "x", 0, 1).setTraceId(ByteString.copyFrom(new byte[16])),
                        OtlpDecoder.INVALID_TRACE_ID),
                Arguments.of(
                        span(TRACE, ROOT, "", "x", 0, 1).setTraceId(OtlpTestData.id("0102030405060708")),
                        OtlpDecoder.INVALID_TRACE_ID),
                Arguments.of(span(TRACE, ROOT, "", "x", 0, 1).setSpanId(ByteString.EMPTY), OtlpDecoder.MISSING_SPAN_ID),
                Arguments.of(
                        span(TRACE, ROOT, "", "x", 0, 1).setSpanId(ByteString.copyFrom(new byte[8])),
                        OtlpDecoder.INVALID_SPAN_ID),
                Arguments.of(
                        span(TRACE, ROOT, "", "x", 0, 1).setSpanId(OtlpTestData.id(TRACE)),
                        OtlpDecoder.INVALID_SPAN_ID),
                Arguments.of(span(TRACE, ROOT, "", "x", 10, 1).setEndTimeUnixNano(T0), OtlpDecoder.END_BEFORE_START));
    }

    @ParameterizedTest
    @MethodSource("invalidSpans")
    void sendsAnInvalidSpanAloneToTheDeadLettersAndKeepsItsNeighbours(
            io.opentelemetry.proto.trace.v1.Span.Builder invalid, String reason) throws Exception {
        byte[] record = request(resourceSpans("frontend", span(TRACE, CHILD, ROOT, "ok", 0, 5), invalid))
                .toByteArray();

        decoder.decode(record, NOW, output);

        assertThat(fragments).singleElement().satisfies(f -> {
            assertThat(f.traceId).isEqualTo(TRACE);
            assertThat(f.spanCount).isEqualTo(1);
            List<Span> kept = new ArrayList<>();
            SpanDecoder.decode(f.payload, kept);
            assertThat(kept)
                    .as("the refused span is not in the fragment")
                    .extracting(s -> s.spanId)
                    .containsExactly(CHILD);
        });
        assertThat(deadLetters).singleElement().satisfies(d -> assertThat(d.reason)
                .isEqualTo(reason));
        DeadLetter deadLetter = deadLetters.get(0);
        assertThat(deadLetter.detail).isNotBlank();
        ExportTraceServiceRequest kept = ExportTraceServiceRequest.parseFrom(deadLetter.payload);
        assertThat(kept.getResourceSpans(0).getScopeSpans(0).getSpansList()).containsExactly(invalid.build());
        assertThat(kept.getResourceSpans(0).getResource().getAttributes(0)).isEqualTo(attr("service.name", "frontend"));
    }

    @Test
    void anEmptyRecordIsAnEmptyRequest() {
        decoder.decode(new byte[0], NOW, output);

        assertThat(fragments).isEmpty();
        assertThat(deadLetters).isEmpty();
    }

    private static DecodeLimits limits(int maxSpans, int maxValues, int maxAttributes, int maxLength) {
        DecodeLimits d = DecodeLimits.DEFAULTS;
        return new DecodeLimits(
                d.maxRecordBytes(),
                maxSpans,
                maxValues,
                maxAttributes,
                maxAttributes,
                maxAttributes,
                maxLength,
                d.maxSpanAge(),
                d.maxClockSkew());
    }

    @Test
    void refusesARecordLargerThanTheLimitWhole() {
        byte[] record = request(resourceSpans("frontend", span(TRACE, ROOT, "", "GET /", 0, 1)))
                .toByteArray();
        DecodeLimits d = DecodeLimits.DEFAULTS;
        OtlpDecoder small = new OtlpDecoder(new DecodeLimits(
                record.length - 1,
                d.maxSpansPerRecord(),
                d.maxValuesPerRecord(),
                10,
                10,
                10,
                10,
                d.maxSpanAge(),
                d.maxClockSkew()));

        small.decode(record, NOW, output);

        assertThat(fragments).isEmpty();
        assertThat(deadLetters).singleElement().satisfies(d2 -> {
            assertThat(d2.reason).isEqualTo(OtlpDecoder.RECORD_TOO_LARGE);
            assertThat(d2.payload).isSameAs(record);
            assertThat(d2.detail).contains(Integer.toString(record.length));
        });
    }

    @Test
    void refusesARecordWithMoreSpansThanTheLimitBeforeParsingIt() {
        byte[] record = request(resourceSpans(
                        "frontend",
                        span(TRACE, ROOT, "", "a", 0, 1),
                        span(TRACE, CHILD, ROOT, "b", 0, 1),
                        span(OTHER_TRACE, ROOT, "", "c", 0, 1)))
                .toByteArray();

        new OtlpDecoder(limits(2, 1_000, 10, 100)).decode(record, NOW, output);

        assertThat(fragments).isEmpty();
        assertThat(deadLetters).extracting(d -> d.reason).containsExactly(OtlpDecoder.TOO_MANY_SPANS);
    }

    @Test
    void refusesARecordOfTinyValuesBeforeParsingIt() {
        // A span with 100,000 empty attributes is 200 kB on the wire and 100,000 objects once parsed.
        io.opentelemetry.proto.trace.v1.Span.Builder bomb = span(TRACE, ROOT, "", "a", 0, 1);
        for (int i = 0; i < 100_000; i++) {
            bomb.addAttributes(io.opentelemetry.proto.common.v1.KeyValue.getDefaultInstance());
        }
        byte[] record = request(resourceSpans("frontend", bomb)).toByteArray();

        decoder.decode(record, NOW, output);
        new OtlpDecoder(limits(10, 100_000, 1_000_000, 100)).decode(record, NOW, output);

        assertThat(fragments).isEmpty();
        assertThat(deadLetters)
                .extracting(d -> d.reason)
                .containsExactly(OtlpDecoder.TOO_MANY_ATTRIBUTES, OtlpDecoder.TOO_MANY_VALUES);
    }

    @Test
    void sendsASpanWithAStringThatIsNotUtf8AloneToTheDeadLetters() throws Exception {
        byte[] valid = request(resourceSpans(
                        "checkout",
                        error(span(TRACE, ROOT, "", "charge", 0, 5)),
                        span(TRACE, CHILD, ROOT, "bad", 1, 2).addAttributes(attr("user", "XXXX"))))
                .toByteArray();
        byte[] record = OtlpTestData.overwrite(valid, "XXXX", OtlpTestData.NOT_UTF8);

        decoder.decode(record, NOW, output);

        assertThat(fragments).singleElement().satisfies(f -> {
            assertThat(f.spanCount).isEqualTo(1);
            assertThat(f.errorSeen).as("the valid error span goes on").isTrue();
        });
        assertThat(deadLetters).singleElement().satisfies(d -> {
            assertThat(d.reason).isEqualTo(OtlpDecoder.INVALID_UTF8);
            assertThat(d.detail).contains("UTF-8");
            assertThat(new String(d.payload, java.nio.charset.StandardCharsets.ISO_8859_1))
                    .contains("bad");
        });
    }

    @Test
    void aResourceThatIsNotUtf8TakesOnlyItsOwnSpansToTheDeadLetters() {
        byte[] valid = request(
                        resourceSpans("XXXX", span(TRACE, ROOT, "", "a", 0, 5)),
                        resourceSpans("checkout", span(OTHER_TRACE, ROOT, "", "b", 0, 5)))
                .toByteArray();

        decoder.decode(OtlpTestData.overwrite(valid, "XXXX", OtlpTestData.NOT_UTF8), NOW, output);

        assertThat(fragments).extracting(f -> f.traceId).containsExactly(OTHER_TRACE);
        assertThat(deadLetters).extracting(d -> d.reason).containsExactly(OtlpDecoder.INVALID_UTF8);
    }

    @Test
    void refusesSpansOutsideTheAcceptedTimeRange() {
        long nowNanos = NOW * 1_000_000L;
        byte[] record = request(resourceSpans(
                        "frontend",
                        span(TRACE, ROOT, "", "1970", 0, 1)
                                .setStartTimeUnixNano(0)
                                .setEndTimeUnixNano(5),
                        span(TRACE, CHILD, ROOT, "future", 0, 1)
                                .setStartTimeUnixNano(nowNanos)
                                .setEndTimeUnixNano(nowNanos + 2 * 3_600_000_000_000L),
                        span(OTHER_TRACE, ROOT, "", "now", 0, 1)))
                .toByteArray();

        decoder.decode(record, NOW, output);

        assertThat(fragments).extracting(f -> f.traceId).containsExactly(OTHER_TRACE);
        assertThat(deadLetters)
                .extracting(d -> d.reason)
                .containsExactly(OtlpDecoder.TIMESTAMP_OUT_OF_RANGE, OtlpDecoder.TIMESTAMP_OUT_OF_RANGE);
    }

    @Test
    void refusesASpanWithTooManyAttributesEventsOrLinksAlone() {
        io.opentelemetry.proto.trace.v1.Span.Event event = io.opentelemetry.proto.trace.v1.Span.Event.newBuilder()
                .setName("e")
                .build();
        io.opentelemetry.proto.trace.v1.Span.Link link = io.opentelemetry.proto.trace.v1.Span.Link.newBuilder()
                .setTraceId(OtlpTestData.id(OTHER_TRACE))
                .setSpanId(OtlpTestData.id(ROOT))
                .build();
        byte[] record = request(resourceSpans(
                        "frontend",
                        span(TRACE, ROOT, "", "attributes", 0, 1)
                                .addAttributes(attr("a", 1))
                                .addAttributes(attr("b", 2))
                                .addAttributes(attr("c", 3)),
                        span(TRACE, "00000000000000e1", ROOT, "events", 0, 1)
                                .addEvents(event)
                                .addEvents(event)
                                .addEvents(event),
                        span(TRACE, "00000000000000e2", ROOT, "links", 0, 1)
                                .addLinks(link)
                                .addLinks(link)
                                .addLinks(link),
                        span(TRACE, CHILD, ROOT, "ok", 0, 1).addAttributes(attr("a", 1))))
                .toByteArray();

        new OtlpDecoder(limits(10, 1_000, 2, 100)).decode(record, NOW, output);

        assertThat(fragments).singleElement().satisfies(f -> assertThat(f.spanCount)
                .isEqualTo(1));
        assertThat(deadLetters)
                .extracting(d -> d.reason)
                .containsExactly(
                        OtlpDecoder.TOO_MANY_ATTRIBUTES, OtlpDecoder.TOO_MANY_EVENTS, OtlpDecoder.TOO_MANY_LINKS);
    }

    @Test
    void cutsLongAttributeValuesAndSaysHowManyOnTheSpan() {
        String longValue = "x".repeat(50);
        byte[] record = request(resourceSpans(
                        "frontend",
                        span(TRACE, ROOT, "", "GET /", 0, 1)
                                .addAttributes(attr("db.statement", longValue))
                                .addAttributes(attr("short", "ok"))
                                .addEvents(io.opentelemetry.proto.trace.v1.Span.Event.newBuilder()
                                        .setName("log")
                                        .addAttributes(attr("message", longValue)))))
                .toByteArray();

        new OtlpDecoder(limits(10, 1_000, 10, 8)).decode(record, NOW, output);

        assertThat(deadLetters).isEmpty();
        TraceFragment fragment = fragments.get(0);
        assertThat(fragment.payload).as("re-encoded, not the record").isNotSameAs(record);
        List<Span> spans = new ArrayList<>();
        SpanDecoder.decode(fragment.payload, spans);
        assertThat(spans.get(0).attributes)
                .containsEntry("db.statement", "xxxxxxxx")
                .containsEntry("short", "ok")
                .containsEntry(OtlpDecoder.TRUNCATED_VALUES_ATTRIBUTE, "2");
        assertThat(spans.get(0).events.get(0).attributes).containsEntry("message", "xxxxxxxx");
        assertThat(spans.get(0).dbStatement).isEqualTo("xxxxxxxx");
    }

    @Test
    void refusesARecordNestedDeeperThanProtobufAllowsWithoutThrowing() {
        io.opentelemetry.proto.common.v1.AnyValue value = io.opentelemetry.proto.common.v1.AnyValue.newBuilder()
                .setIntValue(1)
                .build();
        for (int i = 0; i < 200; i++) {
            value = io.opentelemetry.proto.common.v1.AnyValue.newBuilder()
                    .setArrayValue(io.opentelemetry.proto.common.v1.ArrayValue.newBuilder()
                            .addValues(value))
                    .build();
        }
        byte[] record = request(resourceSpans(
                        "frontend",
                        span(TRACE, ROOT, "", "deep", 0, 1)
                                .addAttributes(io.opentelemetry.proto.common.v1.KeyValue.newBuilder()
                                        .setKey("deep")
                                        .setValue(value))))
                .toByteArray();

        decoder.decode(record, NOW, output);

        assertThat(fragments).isEmpty();
        assertThat(deadLetters).singleElement().satisfies(d -> {
            assertThat(d.reason).isEqualTo(OtlpDecoder.UNPARSEABLE_RECORD);
            assertThat(d.detail).contains("nested deeper");
        });
    }

    @Test
    void splitsAFragmentIntoItsFirstSpansAndTheRest() {
        byte[] record = request(
                        resourceSpans("frontend", span(TRACE, ROOT, "", "GET /", 0, 100)),
                        resourceSpans(
                                "checkout",
                                span(TRACE, CHILD, ROOT, "a", 10, 5),
                                error(span(TRACE, "00000000000000c3", ROOT, "b", 20, 5))))
                .toByteArray();
        decoder.decode(record, NOW, output);
        TraceFragment whole = fragments.get(0);
        whole.presampleRate = 0.5;

        List<TraceFragment> parts = OtlpDecoder.split(whole, 2);

        assertThat(parts).extracting(f -> f.spanCount).containsExactly(2, 1);
        assertThat(parts).extracting(f -> f.rootSeen).containsExactly(true, false);
        assertThat(parts).extracting(f -> f.errorSeen).containsExactly(false, true);
        assertThat(parts).extracting(f -> f.presampleRate).containsExactly(0.5, 0.5);
        List<Span> rest = new ArrayList<>();
        SpanDecoder.decode(parts.get(1).payload, rest);
        assertThat(rest).extracting(s -> s.serviceName + "/" + s.operationName).containsExactly("checkout/b");
    }

    @Test
    void aFragmentIsItsTracesSpansAsTheyCameWithTheirResourcesAndScopes() throws Exception {
        ScopeSpans http = ScopeSpans.newBuilder()
                .setScope(InstrumentationScope.newBuilder().setName("http").addAttributes(attr("scope.attr", "a")))
                .setSchemaUrl("https://opentelemetry.io/schemas/1.24.0")
                .addSpans(span(TRACE, ROOT, "", "GET /", 0, 120).addAttributes(attr("http.route", "/")))
                .addSpans(span(OTHER_TRACE, ROOT, "", "GET /cart", 5, 10))
                .build();
        ScopeSpans db = ScopeSpans.newBuilder()
                .setScope(InstrumentationScope.newBuilder().setName("db"))
                .addSpans(span(OTHER_TRACE, CHILD, ROOT, "SELECT", 6, 2))
                .addSpans(span(TRACE, CHILD, ROOT, "INSERT", 10, 20))
                .build();
        ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder()
                .addResourceSpans(resourceSpans("frontend").toBuilder()
                        .clearScopeSpans()
                        .addScopeSpans(http)
                        .addScopeSpans(db)
                        .setSchemaUrl("https://opentelemetry.io/schemas/1.21.0"))
                .addResourceSpans(
                        resourceSpans("checkout", error(span(TRACE, "00f067aa0ba902b9", CHILD, "charge", 12, 5))))
                .build();

        decoder.decode(request.toByteArray(), NOW, output);

        assertThat(fragments).extracting(f -> f.traceId).containsExactly(TRACE, OTHER_TRACE);
        assertThat(ExportTraceServiceRequest.parseFrom(fragments.get(0).payload))
                .as("the request holding just the trace's spans, grouped as they came")
                .isEqualTo(onlyTrace(request, TRACE));
        assertThat(ExportTraceServiceRequest.parseFrom(fragments.get(1).payload))
                .isEqualTo(onlyTrace(request, OTHER_TRACE));
        assertThat(fragments.get(0).spanCount).isEqualTo(3);
    }

    @Test
    void aResourceWrittenTwiceIsTheMergedOneInItsFragments() throws Exception {
        // Two encodings of one message, one after the other, parse as one message merging both.
        byte[] twice = ResourceSpans.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(attr("host.name", "web-1")))
                .build()
                .toByteArray();
        byte[] second = resourceSpans(
                        "frontend", span(TRACE, ROOT, "", "GET /", 0, 1), span(OTHER_TRACE, ROOT, "", "GET /a", 0, 1))
                .toByteArray();
        byte[] resourceSpans = new byte[twice.length + second.length];
        System.arraycopy(twice, 0, resourceSpans, 0, twice.length);
        System.arraycopy(second, 0, resourceSpans, twice.length, second.length);
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        CodedOutputStream coded = CodedOutputStream.newInstance(buffer);
        coded.writeByteArray(1, resourceSpans);
        coded.flush();
        byte[] record = buffer.toByteArray();
        ExportTraceServiceRequest parsed = ExportTraceServiceRequest.parseFrom(record);
        assertThat(parsed.getResourceSpans(0).getResource().getAttributesCount())
                .isEqualTo(3);

        decoder.decode(record, NOW, output);

        assertThat(fragments).hasSize(2);
        assertThat(ExportTraceServiceRequest.parseFrom(fragments.get(0).payload))
                .isEqualTo(onlyTrace(parsed, TRACE));
    }

    /** {@code request} with only the spans of {@code traceId}, and only the resources and scopes that hold one. */
    private static ExportTraceServiceRequest onlyTrace(ExportTraceServiceRequest request, String traceId) {
        ExportTraceServiceRequest.Builder only = ExportTraceServiceRequest.newBuilder();
        for (ResourceSpans resource : request.getResourceSpansList()) {
            ResourceSpans.Builder kept = resource.toBuilder().clearScopeSpans();
            for (ScopeSpans scope : resource.getScopeSpansList()) {
                List<io.opentelemetry.proto.trace.v1.Span> spans = scope.getSpansList().stream()
                        .filter(span -> span.getTraceId().equals(OtlpTestData.id(traceId)))
                        .toList();
                if (!spans.isEmpty()) {
                    kept.addScopeSpans(scope.toBuilder().clearSpans().addAllSpans(spans));
                }
            }
            if (kept.getScopeSpansCount() > 0) {
                only.addResourceSpans(kept);
            }
        }
        return only.build();
    }
}

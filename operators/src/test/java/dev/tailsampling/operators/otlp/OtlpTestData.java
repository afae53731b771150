package dev.tailsampling.operators.otlp;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.HexFormat;

/** Builds OTLP protobuf fixtures the way an SDK and the collector would write them. */
public final class OtlpTestData {
    /** 2026-01-01T00:00:00Z in nanoseconds. */
    public static final long T0 = 1_767_225_600_000_000_000L;

    public static final long MILLIS = 1_000_000L;

    private OtlpTestData() {}

    public static ByteString id(String hex) {
        return ByteString.copyFrom(HexFormat.of().parseHex(hex));
    }

    /** A span starting {@code startMillis} after {@link #T0} and lasting {@code durationMillis}. */
    public static Span.Builder span(
            String traceId, String spanId, String parentSpanId, String name, long startMillis, long durationMillis) {
        return Span.newBuilder()
                .setTraceId(id(traceId))
                .setSpanId(id(spanId))
                .setParentSpanId(parentSpanId.isEmpty() ? ByteString.EMPTY : id(parentSpanId))
                .setName(name)
                .setKind(Span.SpanKind.SPAN_KIND_SERVER)
                .setStartTimeUnixNano(T0 + startMillis * MILLIS)
                .setEndTimeUnixNano(T0 + (startMillis + durationMillis) * MILLIS);
    }

    public static Span.Builder error(Span.Builder span) {
        return span.setStatus(
                Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR).setMessage("boom"));
    }

    public static KeyValue attr(String key, String value) {
        return KeyValue.newBuilder()
                .setKey(key)
                .setValue(AnyValue.newBuilder().setStringValue(value))
                .build();
    }

    public static KeyValue attr(String key, long value) {
        return KeyValue.newBuilder()
                .setKey(key)
                .setValue(AnyValue.newBuilder().setIntValue(value))
                .build();
    }

    public static ResourceSpans resourceSpans(String service, Span.Builder... spans) {
        ScopeSpans.Builder scope = ScopeSpans.newBuilder()
                .setScope(InstrumentationScope.newBuilder().setName("shop").setVersion("1.0"));
        for (Span.Builder span : spans) {
            scope.addSpans(span);
        }
        return ResourceSpans.newBuilder()
                .setResource(Resource.newBuilder()
                        .addAttributes(attr("service.name", service))
                        .addAttributes(attr("deployment.environment", "test")))
                .addScopeSpans(scope)
                .build();
    }

    public static ExportTraceServiceRequest request(ResourceSpans... resourceSpans) {
        ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
        for (ResourceSpans rs : resourceSpans) {
            request.addResourceSpans(rs);
        }
        return request.build();
    }

    /** Four bytes that are never UTF-8. */
    public static final byte[] NOT_UTF8 = {(byte) 0xff, (byte) 0xfe, (byte) 0xff, (byte) 0xfe};

    /** The encoded {@code record} with the first occurrence of {@code marker} overwritten by {@code with}. */
    public static byte[] overwrite(byte[] record, String marker, byte[] with) {
        byte[] find = marker.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (int i = 0; i + find.length <= record.length; i++) {
            if (java.util.Arrays.equals(record, i, i + find.length, find, 0, find.length)) {
                byte[] out = record.clone();
                System.arraycopy(with, 0, out, i, with.length);
                return out;
            }
        }
        throw new AssertionError(marker + " not in the record");
    }
}

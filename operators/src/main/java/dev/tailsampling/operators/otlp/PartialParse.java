package dev.tailsampling.operators.otlp;

import static dev.tailsampling.operators.otlp.WireSlices.RESOURCE;
import static dev.tailsampling.operators.otlp.WireSlices.RESOURCE_SPANS;
import static dev.tailsampling.operators.otlp.WireSlices.SCHEMA_URL;
import static dev.tailsampling.operators.otlp.WireSlices.SCOPE;
import static dev.tailsampling.operators.otlp.WireSlices.SCOPE_SPANS;
import static dev.tailsampling.operators.otlp.WireSlices.SPANS;
import static dev.tailsampling.operators.otlp.WireSlices.fields;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import dev.tailsampling.operators.DeadLetter;
import dev.tailsampling.operators.otlp.WireSlices.Field;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses a request whose wire format is sound but which the protobuf parser refuses as a whole
 * (a string that is not UTF-8), one resource, scope and span at a time. What parses is returned; a
 * span that does not goes to the dead letters alone, with its resource and scope, as its original
 * bytes; a resource or scope that does not takes its spans there with it.
 */
final class PartialParse {

    private PartialParse() {}

    /** The parts of {@code record} that parse; the rest goes to {@code out} as dead letters. */
    static ExportTraceServiceRequest parse(byte[] record, OtlpDecoder.Output out) {
        ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
        try {
            for (Field field : fields(UnsafeByteOperations.unsafeWrap(record))) {
                if (field.number() == RESOURCE_SPANS) {
                    try {
                        request.addResourceSpans(ResourceSpans.parseFrom(field.bytes()));
                    } catch (InvalidProtocolBufferException e) {
                        resourceSpans(field.bytes(), request, out);
                    }
                }
            }
        } catch (IOException e) {
            // The scan has walked this wire format already.
            throw new UncheckedIOException("a scanned record no longer reads", e);
        }
        return request.build();
    }

    private static void resourceSpans(
            ByteString bytes, ExportTraceServiceRequest.Builder request, OtlpDecoder.Output out) throws IOException {
        ByteString resourceBytes = ByteString.EMPTY;
        List<ByteString> scopes = new ArrayList<>();
        ResourceSpans.Builder parsed = ResourceSpans.newBuilder();
        for (Field field : fields(bytes)) {
            if (field.number() == RESOURCE) {
                resourceBytes = field.bytes();
            } else if (field.number() == SCOPE_SPANS) {
                scopes.add(field.bytes());
            } else if (field.number() == SCHEMA_URL && field.bytes().isValidUtf8()) {
                parsed.setSchemaUrl(field.bytes().toStringUtf8());
            }
        }
        try {
            parsed.setResource(Resource.parseFrom(resourceBytes));
        } catch (InvalidProtocolBufferException e) {
            out.deadLetter(refused(request(bytes), "the resource of these spans", e));
            return;
        }
        for (ByteString scope : scopes) {
            try {
                parsed.addScopeSpans(ScopeSpans.parseFrom(scope));
            } catch (InvalidProtocolBufferException e) {
                scopeSpans(resourceBytes, scope, parsed, out);
            }
        }
        request.addResourceSpans(parsed);
    }

    private static void scopeSpans(
            ByteString resource, ByteString bytes, ResourceSpans.Builder parsed, OtlpDecoder.Output out)
            throws IOException {
        ByteString scopeBytes = ByteString.EMPTY;
        List<ByteString> spans = new ArrayList<>();
        ScopeSpans.Builder scope = ScopeSpans.newBuilder();
        for (Field field : fields(bytes)) {
            if (field.number() == SCOPE) {
                scopeBytes = field.bytes();
            } else if (field.number() == SPANS) {
                spans.add(field.bytes());
            } else if (field.number() == SCHEMA_URL && field.bytes().isValidUtf8()) {
                scope.setSchemaUrl(field.bytes().toStringUtf8());
            }
        }
        try {
            scope.setScope(InstrumentationScope.parseFrom(scopeBytes));
        } catch (InvalidProtocolBufferException e) {
            out.deadLetter(refused(request(resourceSpans(resource, bytes)), "the scope of these spans", e));
            return;
        }
        for (ByteString span : spans) {
            try {
                scope.addSpans(Span.parseFrom(span));
            } catch (InvalidProtocolBufferException e) {
                out.deadLetter(refused(request(resourceSpans(resource, scopeSpans(scopeBytes, span))), "the span", e));
            }
        }
        parsed.addScopeSpans(scope);
    }

    private static DeadLetter refused(byte[] payload, String what, InvalidProtocolBufferException e) {
        boolean utf8 = String.valueOf(e.getMessage()).contains("UTF-8");
        return new DeadLetter(
                payload,
                utf8 ? OtlpDecoder.INVALID_UTF8 : OtlpDecoder.UNPARSEABLE_RECORD,
                what + " cannot be parsed: " + e.getMessage());
    }

    /** A request of one raw {@code ResourceSpans}. */
    private static byte[] request(ByteString resourceSpans) {
        return message(RESOURCE_SPANS, resourceSpans).toByteArray();
    }

    /** A raw {@code ResourceSpans} of one raw resource and one raw {@code ScopeSpans}. */
    private static ByteString resourceSpans(ByteString resource, ByteString scopeSpans) {
        return message(RESOURCE, resource, SCOPE_SPANS, scopeSpans);
    }

    /** A raw {@code ScopeSpans} of one raw scope and one raw span. */
    private static ByteString scopeSpans(ByteString scope, ByteString span) {
        return message(SCOPE, scope, SPANS, span);
    }

    /** Length-delimited fields {@code number, bytes, number, bytes...} written as one message. */
    private static ByteString message(Object... numbersAndBytes) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        CodedOutputStream coded = CodedOutputStream.newInstance(buffer);
        try {
            for (int i = 0; i < numbersAndBytes.length; i += 2) {
                coded.writeBytes((Integer) numbersAndBytes[i], (ByteString) numbersAndBytes[i + 1]);
            }
            coded.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ByteString.copyFrom(buffer.toByteArray());
    }
}

package dev.tailsampling.operators.otlp;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.UnsafeByteOperations;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The wire bytes of a parsed request's resources, scopes and spans, in the order the parser lists
 * them, so that a trace's fragment copies its spans' bytes as they came instead of encoding the
 * parsed spans again (docs/BENCHMARKS.md). The slices share the record's array. A resource or scope
 * written twice, which the parser merges into one, has no slice: it is encoded from the parsed one.
 */
final class WireSlices {
    // Field numbers of the OTLP trace request's messages, for whatever reads or writes its wire format.
    /** {@code ExportTraceServiceRequest.resource_spans}. */
    static final int RESOURCE_SPANS = 1;
    /** {@code ResourceSpans.resource}. */
    static final int RESOURCE = 1;
    /** {@code ResourceSpans.scope_spans}. */
    static final int SCOPE_SPANS = 2;
    /** {@code ScopeSpans.scope}. */
    static final int SCOPE = 1;
    /** {@code ScopeSpans.spans}. */
    static final int SPANS = 2;
    /** {@code ResourceSpans.schema_url} and {@code ScopeSpans.schema_url}. */
    static final int SCHEMA_URL = 3;

    /** One {@code ScopeSpans}: its scope's bytes (null if it came twice) and each span's. */
    record Scope(ByteString scope, List<ByteString> spans) {}

    /** One {@code ResourceSpans}: its resource's bytes (null if it came twice) and its scopes. */
    record Resource(ByteString resource, List<Scope> scopes) {}

    /** A length-delimited field of a message: its number and its bytes, which share the message's array. */
    record Field(int number, ByteString bytes) {}

    private WireSlices() {}

    /** The slices of {@code record}, a request the protobuf parser has parsed whole. */
    static List<Resource> of(byte[] record) {
        try {
            List<Resource> resources = new ArrayList<>();
            for (Field resourceSpans : fields(UnsafeByteOperations.unsafeWrap(record))) {
                if (resourceSpans.number == RESOURCE_SPANS) {
                    resources.add(resource(resourceSpans.bytes));
                }
            }
            return resources;
        } catch (IOException e) {
            throw new IllegalStateException("a parsed record no longer reads", e);
        }
    }

    private static Resource resource(ByteString resourceSpans) throws IOException {
        List<ByteString> resource = new ArrayList<>(1);
        List<Scope> scopes = new ArrayList<>();
        for (Field field : fields(resourceSpans)) {
            if (field.number == RESOURCE) {
                resource.add(field.bytes);
            } else if (field.number == SCOPE_SPANS) {
                scopes.add(scope(field.bytes));
            }
        }
        return new Resource(only(resource), scopes);
    }

    private static Scope scope(ByteString scopeSpans) throws IOException {
        List<ByteString> scope = new ArrayList<>(1);
        List<ByteString> spans = new ArrayList<>();
        for (Field field : fields(scopeSpans)) {
            if (field.number == SCOPE) {
                scope.add(field.bytes);
            } else if (field.number == SPANS) {
                spans.add(field.bytes);
            }
        }
        return new Scope(only(scope), spans);
    }

    /** The field's bytes if it came once, empty if never (the parser's default), null if more often. */
    private static ByteString only(List<ByteString> occurrences) {
        return switch (occurrences.size()) {
            case 0 -> ByteString.EMPTY;
            case 1 -> occurrences.get(0);
            default -> null;
        };
    }

    /**
     * The length-delimited fields of {@code message}, in order; others are skipped. Each field's
     * bytes alias the message's array (a message that wraps an array, as every one here does).
     */
    static List<Field> fields(ByteString message) throws IOException {
        CodedInputStream in = message.newCodedInput();
        in.enableAliasing(true);
        List<Field> fields = new ArrayList<>();
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            if (WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                fields.add(new Field(WireFormat.getTagFieldNumber(tag), in.readBytes()));
            } else {
                in.skipField(tag);
            }
        }
        return fields;
    }
}

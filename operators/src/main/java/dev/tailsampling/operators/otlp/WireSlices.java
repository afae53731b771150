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

    private record Field(int number, int offset, int length) {}

    private WireSlices() {}

    /** The slices of {@code record}, a request the protobuf parser has parsed whole. */
    static List<Resource> of(byte[] record) {
        try {
            List<Resource> resources = new ArrayList<>();
            for (Field resourceSpans : fields(record, 0, record.length)) {
                if (resourceSpans.number == RESOURCE_SPANS) {
                    resources.add(resource(record, resourceSpans));
                }
            }
            return resources;
        } catch (IOException e) {
            throw new IllegalStateException("a parsed record no longer reads", e);
        }
    }

    private static Resource resource(byte[] record, Field resourceSpans) throws IOException {
        List<Field> resource = new ArrayList<>(1);
        List<Scope> scopes = new ArrayList<>();
        for (Field field : fields(record, resourceSpans.offset, resourceSpans.length)) {
            if (field.number == RESOURCE) {
                resource.add(field);
            } else if (field.number == SCOPE_SPANS) {
                scopes.add(scope(record, field));
            }
        }
        return new Resource(only(record, resource), scopes);
    }

    private static Scope scope(byte[] record, Field scopeSpans) throws IOException {
        List<Field> scope = new ArrayList<>(1);
        List<ByteString> spans = new ArrayList<>();
        for (Field field : fields(record, scopeSpans.offset, scopeSpans.length)) {
            if (field.number == SCOPE) {
                scope.add(field);
            } else if (field.number == SPANS) {
                spans.add(bytes(record, field));
            }
        }
        return new Scope(only(record, scope), spans);
    }

    /** The field's bytes if it came once, empty if never (the parser's default), null if more often. */
    private static ByteString only(byte[] record, List<Field> occurrences) {
        return switch (occurrences.size()) {
            case 0 -> ByteString.EMPTY;
            case 1 -> bytes(record, occurrences.get(0));
            default -> null;
        };
    }

    private static ByteString bytes(byte[] record, Field field) {
        return UnsafeByteOperations.unsafeWrap(record, field.offset, field.length);
    }

    /** The length-delimited fields of the message at {@code offset}, in order; others are skipped. */
    private static List<Field> fields(byte[] record, int offset, int length) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(record, offset, length);
        List<Field> fields = new ArrayList<>();
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            if (WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                int size = in.readRawVarint32();
                fields.add(new Field(WireFormat.getTagFieldNumber(tag), offset + in.getTotalBytesRead(), size));
                in.skipRawBytes(size);
            } else {
                in.skipField(tag);
            }
        }
        return fields;
    }
}

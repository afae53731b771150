package dev.tailsampling.operators.otlp;

import static dev.tailsampling.operators.otlp.WireSlices.RESOURCE;
import static dev.tailsampling.operators.otlp.WireSlices.RESOURCE_SPANS;
import static dev.tailsampling.operators.otlp.WireSlices.SCHEMA_URL;
import static dev.tailsampling.operators.otlp.WireSlices.SCOPE;
import static dev.tailsampling.operators.otlp.WireSlices.SCOPE_SPANS;
import static dev.tailsampling.operators.otlp.WireSlices.SPANS;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import dev.tailsampling.operators.DeadLetter;
import dev.tailsampling.operators.TraceFragment;
import dev.tailsampling.sampling.ConsistentProbability;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits one Kafka record, an OTLP {@code ExportTraceServiceRequest} as the collector's kafka
 * exporter writes it with encoding {@code otlp_proto}, into one {@link TraceFragment} per trace: the
 * record's valid spans of that trace.
 *
 * <p>Nothing a producer writes makes it throw. A record past a {@link DecodeLimits limit} on its
 * size, its spans or its values, or whose wire format is broken, becomes one dead letter with its
 * original bytes. A span that is invalid (bad ids, times, too many attributes, events or links, a
 * string that is not UTF-8) becomes a dead letter holding a request with just that span, its
 * resource and its scope, so the valid spans of the same record are neither lost nor sent twice on
 * replay. Over-long attribute values are cut, not refused. {@link Redaction} rules apply to every
 * span and resource before any of this.
 */
public final class OtlpDecoder {

    /** Dead-letter reason codes, stable: dashboards and replay tools match on them. */
    public static final String UNPARSEABLE_RECORD = "unparseable_record";

    public static final String RECORD_TOO_LARGE = "record_too_large";
    public static final String TOO_MANY_SPANS = "too_many_spans";
    public static final String TOO_MANY_VALUES = "too_many_values";
    public static final String INVALID_UTF8 = "invalid_utf8";
    public static final String MISSING_TRACE_ID = "missing_trace_id";
    public static final String INVALID_TRACE_ID = "invalid_trace_id";
    public static final String MISSING_SPAN_ID = "missing_span_id";
    public static final String INVALID_SPAN_ID = "invalid_span_id";
    public static final String END_BEFORE_START = "end_before_start";
    public static final String TIMESTAMP_OUT_OF_RANGE = "timestamp_out_of_range";
    public static final String TOO_MANY_ATTRIBUTES = "too_many_attributes";
    public static final String TOO_MANY_EVENTS = "too_many_events";
    public static final String TOO_MANY_LINKS = "too_many_links";

    /** Added to a span (or resource) whose attribute values were cut: how many were. */
    public static final String TRUNCATED_VALUES_ATTRIBUTE = "tail_sampling.truncated_values";

    private static final int TRACE_ID_BYTES = 16;
    private static final int SPAN_ID_BYTES = 8;

    /** Where decoded fragments and refused input go. */
    public interface Output {
        void fragment(TraceFragment fragment);

        void deadLetter(DeadLetter deadLetter);

        /** Every valid span, before any sampling in the job: what the service metrics count. */
        default void measured(String service, String kind, Span span, boolean error, double headProbability) {}
    }

    private final DecodeLimits limits;
    private final Redaction.Redactor redactor;

    /** A decoder that redacts nothing. */
    public OtlpDecoder(DecodeLimits limits) {
        this(limits, Redaction.Redactor.NONE);
    }

    /** A decoder that applies {@code redactor} to every span and resource before anything else. */
    public OtlpDecoder(DecodeLimits limits, Redaction.Redactor redactor) {
        this.limits = limits;
        this.redactor = redactor;
    }

    /** Decodes one record that arrived at {@code nowMillis}, the clock span times are checked against. */
    public void decode(byte[] record, long nowMillis, Output out) {
        if (record.length > limits.maxRecordBytes()) {
            out.deadLetter(new DeadLetter(
                    record,
                    RECORD_TOO_LARGE,
                    "the record has " + record.length + " bytes after decompression, more than "
                            + limits.maxRecordBytes()));
            return;
        }
        RecordScan.Result scan = RecordScan.scan(record, limits.maxSpansPerRecord(), limits.maxValuesPerRecord());
        if (scan.refusal() != null) {
            out.deadLetter(new DeadLetter(record, scan.refusal(), scan.detail()));
            return;
        }
        ExportTraceServiceRequest request;
        List<WireSlices.Resource> slices;
        boolean changed = false;
        try {
            request = ExportTraceServiceRequest.parseFrom(record);
            slices = WireSlices.of(record);
        } catch (InvalidProtocolBufferException e) {
            // The scan walked the wire format, so what failed is a value inside (a string that is
            // not UTF-8): parse part by part and refuse only the parts that fail.
            request = PartialParse.parse(record, out);
            slices = List.of();
            changed = true;
        }
        Map<ByteString, Fragment> byTrace = new LinkedHashMap<>();
        SpanChecks checks = new SpanChecks(limits, nowMillis);
        for (int r = 0; r < request.getResourceSpansCount(); r++) {
            ResourceSpans resourceSpans = request.getResourceSpans(r);
            WireSlices.Resource resourceSlices = slices.size() == request.getResourceSpansCount()
                            && slices.get(r).scopes().size() == resourceSpans.getScopeSpansCount()
                    ? slices.get(r)
                    : null;
            Resource resource =
                    Truncation.cut(redactor.apply(resourceSpans.getResource()), limits.maxAttributeLength());
            if (resource != resourceSpans.getResource()) {
                resourceSpans = resourceSpans.toBuilder().setResource(resource).build();
                resourceSlices = null;
                changed = true;
            }
            ByteString resourceBytes = resourceSlices == null ? null : resourceSlices.resource();
            String service = SpanDecoder.serviceName(resourceSpans.getResource().getAttributesList());
            for (int s = 0; s < resourceSpans.getScopeSpansCount(); s++) {
                ScopeSpans scopeSpans = resourceSpans.getScopeSpans(s);
                WireSlices.Scope scopeSlices = resourceSlices != null
                                && resourceSlices.scopes().get(s).spans().size() == scopeSpans.getSpansCount()
                        ? resourceSlices.scopes().get(s)
                        : null;
                Raw raw = new Raw(resourceBytes, scopeSlices == null ? null : scopeSlices.scope());
                for (int i = 0; i < scopeSpans.getSpansCount(); i++) {
                    Span received = scopeSpans.getSpans(i);
                    ByteString receivedBytes =
                            scopeSlices == null ? null : scopeSlices.spans().get(i);
                    // Redacted first: what is redacted reaches no state, table or dead letter.
                    Span span = redactor.apply(received);
                    changed |= span != received;
                    SpanChecks.Problem problem = checks.check(span);
                    if (problem == null) {
                        Span cut = Truncation.cut(span, limits.maxAttributeLength());
                        changed |= cut != span;
                        boolean error = SemanticConventions.isError(cut);
                        ConsistentProbability.Head head = ConsistentProbability.head(cut.getTraceState());
                        out.measured(service, SpanDecoder.kind(cut.getKind()), cut, error, head.probability());
                        byTrace.computeIfAbsent(cut.getTraceId(), id -> new Fragment())
                                .add(
                                        service,
                                        resourceSpans,
                                        scopeSpans,
                                        cut,
                                        raw.span(cut == received ? receivedBytes : null),
                                        error,
                                        head);
                    } else {
                        Fragment alone = new Fragment();
                        alone.add(
                                service,
                                resourceSpans,
                                scopeSpans,
                                span,
                                raw.span(span == received ? receivedBytes : null),
                                false,
                                ConsistentProbability.Head.NONE);
                        out.deadLetter(new DeadLetter(alone.encode(), problem.reason(), problem.detail()));
                        changed = true;
                    }
                }
            }
        }
        // A record holding one trace, taken as it came (a collector partitioning by trace id writes
        // such records), is its own fragment: its bytes need no re-encoding.
        byte[] wholeRecord = byTrace.size() == 1 && !changed ? record : null;
        for (Map.Entry<ByteString, Fragment> trace : byTrace.entrySet()) {
            out.fragment(trace.getValue().build(OtlpValues.hex(trace.getKey()), wholeRecord));
        }
    }

    /**
     * Splits a fragment into its first {@code firstSpans} spans and the rest, in their order, each a
     * fragment of its own with its own summary; both keep the fragment's pre-sampling rate.
     */
    public static List<TraceFragment> split(TraceFragment fragment, int firstSpans) {
        ExportTraceServiceRequest request;
        try {
            request = ExportTraceServiceRequest.parseFrom(fragment.payload);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a decoded trace fragment no longer parses", e);
        }
        Fragment first = new Fragment();
        Fragment rest = new Fragment();
        int seen = 0;
        for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
            String service = SpanDecoder.serviceName(resourceSpans.getResource().getAttributesList());
            for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
                for (Span span : scopeSpans.getSpansList()) {
                    Fragment into = seen++ < firstSpans ? first : rest;
                    into.add(
                            service,
                            resourceSpans,
                            scopeSpans,
                            span,
                            Raw.NONE,
                            SemanticConventions.isError(span),
                            ConsistentProbability.head(span.getTraceState()));
                }
            }
        }
        List<TraceFragment> parts = new ArrayList<>(2);
        for (Fragment part : List.of(first, rest)) {
            TraceFragment built = part.build(fragment.traceId, null);
            built.presampleRate = fragment.presampleRate;
            parts.add(built);
        }
        return parts;
    }

    /**
     * The wire bytes a span came with, and its resource's and scope's; each null where it must be
     * encoded from the parsed (or redacted, or cut) object instead.
     */
    private record Raw(ByteString resource, ByteString scope, ByteString span) {
        static final Raw NONE = new Raw(null, null, null);

        Raw(ByteString resource, ByteString scope) {
            this(resource, scope, null);
        }

        Raw span(ByteString bytes) {
            return new Raw(resource, scope, bytes);
        }
    }

    /**
     * The valid spans of one trace in one record, grouped by resource and scope as they came. The
     * encoding is built only when the record's own bytes cannot serve, and from the spans' own wire
     * bytes where they came unchanged: a span is encoded again only if redaction or a limit changed it.
     */
    private static final class Fragment {
        private final List<ResourceGroup> resources = new ArrayList<>();
        private final TraceFragment summary = new TraceFragment();
        private ResourceSpans lastResource;
        private ScopeSpans lastScope;

        private record ScopeGroup(ByteString scope, String schemaUrl, List<ByteString> spans) {
            int size() {
                int size = CodedOutputStream.computeBytesSize(SCOPE, scope);
                for (ByteString span : spans) {
                    size += CodedOutputStream.computeBytesSize(SPANS, span);
                }
                return size + schemaUrlSize(schemaUrl);
            }
        }

        private record ResourceGroup(ByteString resource, String schemaUrl, List<ScopeGroup> scopes) {
            int size() {
                int size = CodedOutputStream.computeBytesSize(RESOURCE, resource);
                for (ScopeGroup scope : scopes) {
                    size += nestedSize(SCOPE_SPANS, scope.size());
                }
                return size + schemaUrlSize(schemaUrl);
            }
        }

        void add(
                String service,
                ResourceSpans resourceSpans,
                ScopeSpans scopeSpans,
                Span span,
                Raw raw,
                boolean error,
                ConsistentProbability.Head head) {
            if (resourceSpans != lastResource) {
                resources.add(new ResourceGroup(
                        raw.resource() != null
                                ? raw.resource()
                                : resourceSpans.getResource().toByteString(),
                        resourceSpans.getSchemaUrl(),
                        new ArrayList<>()));
                lastResource = resourceSpans;
                lastScope = null;
            }
            List<ScopeGroup> scopes = resources.get(resources.size() - 1).scopes();
            if (scopeSpans != lastScope) {
                scopes.add(new ScopeGroup(
                        raw.scope() != null
                                ? raw.scope()
                                : scopeSpans.getScope().toByteString(),
                        scopeSpans.getSchemaUrl(),
                        new ArrayList<>()));
                lastScope = scopeSpans;
            }
            scopes.get(scopes.size() - 1).spans().add(raw.span() != null ? raw.span() : span.toByteString());
            summary.addSpan(
                    span.getStartTimeUnixNano(),
                    span.getEndTimeUnixNano(),
                    error,
                    span.getParentSpanId().isEmpty(),
                    service,
                    span.getName());
            summary.addHead(head.probability(), head.explicitRandomness());
        }

        /** A request holding just these spans, with their resources and scopes, in the fields' order. */
        byte[] encode() {
            int size = 0;
            for (ResourceGroup resource : resources) {
                size += nestedSize(RESOURCE_SPANS, resource.size());
            }
            byte[] encoded = new byte[size];
            CodedOutputStream out = CodedOutputStream.newInstance(encoded);
            try {
                for (ResourceGroup resource : resources) {
                    writeNested(out, RESOURCE_SPANS, resource.size());
                    out.writeBytes(RESOURCE, resource.resource());
                    for (ScopeGroup scope : resource.scopes()) {
                        writeNested(out, SCOPE_SPANS, scope.size());
                        out.writeBytes(SCOPE, scope.scope());
                        for (ByteString span : scope.spans()) {
                            out.writeBytes(SPANS, span);
                        }
                        writeSchemaUrl(out, scope.schemaUrl());
                    }
                    writeSchemaUrl(out, resource.schemaUrl());
                }
                out.checkNoSpaceLeft();
            } catch (IOException e) {
                throw new UncheckedIOException("encoding into an array of its exact size", e);
            }
            return encoded;
        }

        private static int nestedSize(int number, int size) {
            return CodedOutputStream.computeTagSize(number) + CodedOutputStream.computeUInt32SizeNoTag(size) + size;
        }

        private static void writeNested(CodedOutputStream out, int number, int size) throws IOException {
            out.writeTag(number, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt32NoTag(size);
        }

        /** A proto3 string is written only when it is not empty, as the generated code does. */
        private static int schemaUrlSize(String schemaUrl) {
            return schemaUrl.isEmpty() ? 0 : CodedOutputStream.computeStringSize(SCHEMA_URL, schemaUrl);
        }

        private static void writeSchemaUrl(CodedOutputStream out, String schemaUrl) throws IOException {
            if (!schemaUrl.isEmpty()) {
                out.writeString(SCHEMA_URL, schemaUrl);
            }
        }

        TraceFragment build(String traceId, byte[] wholeRecord) {
            summary.traceId = traceId;
            summary.payload = wholeRecord != null ? wholeRecord : encode();
            return summary;
        }
    }

    /** What is wrong with a span, checked before anything of it is kept. */
    static final class SpanChecks {
        record Problem(String reason, String detail) {}

        private final DecodeLimits limits;
        private final long earliestStart;
        private final long latestEnd;

        SpanChecks(DecodeLimits limits, long nowMillis) {
            this.limits = limits;
            long nowNanos = nowMillis * 1_000_000L;
            // -1 is the largest unsigned time: no limit. Limits past 1970 or past the range are none.
            Duration age = limits.maxSpanAge();
            Duration skew = limits.maxClockSkew();
            earliestStart =
                    age == null || age.compareTo(Duration.ofNanos(nowNanos)) >= 0 ? 0 : nowNanos - age.toNanos();
            latestEnd = skew == null || skew.compareTo(Duration.ofNanos(Long.MAX_VALUE - nowNanos)) >= 0
                    ? -1
                    : nowNanos + skew.toNanos();
        }

        /** The span's problem, or null when it is valid. */
        Problem check(Span span) {
            Problem problem = checkId(span.getTraceId(), TRACE_ID_BYTES, "trace", MISSING_TRACE_ID, INVALID_TRACE_ID);
            if (problem == null) {
                problem = checkId(span.getSpanId(), SPAN_ID_BYTES, "span", MISSING_SPAN_ID, INVALID_SPAN_ID);
            }
            if (problem == null) {
                problem = checkTimes(span);
            }
            if (problem == null) {
                problem = checkCount(
                        span,
                        span.getAttributesCount(),
                        limits.maxAttributesPerSpan(),
                        "attributes",
                        TOO_MANY_ATTRIBUTES);
            }
            if (problem == null) {
                problem = checkCount(span, span.getEventsCount(), limits.maxEventsPerSpan(), "events", TOO_MANY_EVENTS);
            }
            if (problem == null) {
                problem = checkCount(span, span.getLinksCount(), limits.maxLinksPerSpan(), "links", TOO_MANY_LINKS);
            }
            return problem;
        }

        private Problem checkTimes(Span span) {
            long start = span.getStartTimeUnixNano();
            long end = span.getEndTimeUnixNano();
            if (Long.compareUnsigned(end, start) < 0) {
                return new Problem(
                        END_BEFORE_START,
                        "span " + OtlpValues.hex(span.getSpanId()) + " ends at " + Long.toUnsignedString(end)
                                + " ns, before its start at " + Long.toUnsignedString(start) + " ns");
            }
            // Times are unsigned nanoseconds since 1970.
            if (Long.compareUnsigned(start, earliestStart) < 0 || Long.compareUnsigned(end, latestEnd) > 0) {
                return new Problem(
                        TIMESTAMP_OUT_OF_RANGE,
                        "span " + OtlpValues.hex(span.getSpanId()) + " runs from " + Long.toUnsignedString(start)
                                + " to " + Long.toUnsignedString(end) + " ns since 1970, outside ["
                                + earliestStart + ", " + Long.toUnsignedString(latestEnd)
                                + "] (now less the max span age, now plus the max clock skew)");
            }
            return null;
        }

        private static Problem checkCount(Span span, int count, int max, String what, String reason) {
            if (count <= max) {
                return null;
            }
            return new Problem(
                    reason,
                    "span " + OtlpValues.hex(span.getSpanId()) + " has " + count + " " + what + ", more than " + max);
        }

        private static Problem checkId(ByteString id, int length, String what, String missing, String invalid) {
            if (id.isEmpty()) {
                return new Problem(missing, "the span has no " + what + " id");
            }
            if (id.size() != length) {
                return new Problem(invalid, what + " id has " + id.size() + " bytes, expected " + length);
            }
            for (int i = 0; i < length; i++) {
                if (id.byteAt(i) != 0) {
                    return null;
                }
            }
            return new Problem(invalid, what + " id is all zeros");
        }
    }

    /** Cuts attribute values longer than the limit, as the OpenTelemetry SDK's span limits do. */
    static final class Truncation {
        private Truncation() {}

        /** The span with its over-long values cut and counted, or the span itself if none is. */
        static Span cut(Span span, int maxLength) {
            int[] cut = {0};
            Span shorter = AttributeRewrite.of(span, attributes -> cut(attributes, maxLength, cut));
            return shorter == span
                    ? span
                    : shorter.toBuilder().addAttributes(counter(cut[0])).build();
        }

        /** The resource with its over-long values cut and counted, or the resource itself if none is. */
        static Resource cut(Resource resource, int maxLength) {
            int[] cut = {0};
            Resource shorter = AttributeRewrite.of(resource, attributes -> cut(attributes, maxLength, cut));
            return shorter == resource
                    ? resource
                    : shorter.toBuilder().addAttributes(counter(cut[0])).build();
        }

        /** The attribute that says how many values were cut. */
        private static KeyValue counter(int cut) {
            return KeyValue.newBuilder()
                    .setKey(TRUNCATED_VALUES_ATTRIBUTE)
                    .setValue(AnyValue.newBuilder().setIntValue(cut))
                    .build();
        }

        /** The attributes with over-long values cut, added to {@code cut[0]}; null if none is too long. */
        private static List<KeyValue> cut(List<KeyValue> attributes, int maxLength, int[] cut) {
            List<KeyValue> out = null;
            for (int i = 0; i < attributes.size(); i++) {
                KeyValue kv = attributes.get(i);
                AnyValue value = kv.getValue();
                if (!tooLong(value, maxLength)) {
                    if (out != null) {
                        out.add(kv);
                    }
                    continue;
                }
                if (out == null) {
                    out = new ArrayList<>(attributes.subList(0, i));
                }
                AnyValue shorter = value.hasStringValue()
                        ? AnyValue.newBuilder()
                                .setStringValue(prefix(value.getStringValue(), maxLength))
                                .build()
                        : AnyValue.newBuilder()
                                .setBytesValue(value.getBytesValue().substring(0, maxLength))
                                .build();
                out.add(kv.toBuilder().setValue(shorter).build());
                cut[0]++;
            }
            return out;
        }

        private static boolean tooLong(AnyValue value, int maxLength) {
            return value.hasStringValue() && value.getStringValue().length() > maxLength
                    || value.hasBytesValue() && value.getBytesValue().size() > maxLength;
        }

        /** The first {@code length} characters, one fewer if that would split a surrogate pair. */
        private static String prefix(String value, int length) {
            int end = Character.isHighSurrogate(value.charAt(length - 1)) ? length - 1 : length;
            return value.substring(0, end);
        }
    }
}

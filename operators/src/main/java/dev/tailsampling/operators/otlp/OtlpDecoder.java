package dev.tailsampling.operators.otlp;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.tailsampling.operators.DeadLetter;
import dev.tailsampling.operators.TraceFragment;
import dev.tailsampling.sampling.ConsistentProbability;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Splits one Kafka record, an OTLP {@code ExportTraceServiceRequest} as the collector's kafka
 * exporter writes it with encoding {@code otlp_proto}, into one {@link TraceFragment} per trace: the
 * record's valid spans of that trace. A record that does not parse becomes one dead letter with its
 * original bytes; an invalid span becomes a dead letter holding a request with just that span, its
 * resource and its scope, so the valid spans of the same record are neither lost nor sent twice on
 * replay.
 */
public final class OtlpDecoder {

    /** Dead-letter reason codes, stable: dashboards and replay tools match on them. */
    public static final String UNPARSEABLE_RECORD = "unparseable_record";
    public static final String MISSING_TRACE_ID = "missing_trace_id";
    public static final String INVALID_TRACE_ID = "invalid_trace_id";
    public static final String MISSING_SPAN_ID = "missing_span_id";
    public static final String INVALID_SPAN_ID = "invalid_span_id";
    public static final String END_BEFORE_START = "end_before_start";

    private static final int TRACE_ID_BYTES = 16;
    private static final int SPAN_ID_BYTES = 8;

    /** Where decoded fragments and refused input go. */
    public interface Output {
        void fragment(TraceFragment fragment);

        void deadLetter(DeadLetter deadLetter);

        /** Every valid span, before any sampling in the job: what the service metrics count. */
        default void measured(String service, String kind, Span span, boolean error, double headProbability) {}
    }

    private OtlpDecoder() {}

    public static void decode(byte[] record, Output out) {
        ExportTraceServiceRequest request;
        try {
            request = ExportTraceServiceRequest.parseFrom(record);
        } catch (InvalidProtocolBufferException e) {
            out.deadLetter(
                    new DeadLetter(
                            record,
                            UNPARSEABLE_RECORD,
                            "not an OTLP ExportTraceServiceRequest: " + e.getMessage()));
            return;
        }
        Map<ByteString, Fragment> byTrace = new LinkedHashMap<>();
        boolean refusedAny = false;
        for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
            String service = SpanDecoder.serviceName(resourceSpans.getResource().getAttributesList());
            for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
                for (Span span : scopeSpans.getSpansList()) {
                    Problem problem = validate(span);
                    if (problem == null) {
                        boolean error = SemanticConventions.isError(span);
                        ConsistentProbability.Head head = ConsistentProbability.head(span.getTraceState());
                        out.measured(service, SpanDecoder.kind(span.getKind()), span, error, head.probability());
                        byTrace.computeIfAbsent(span.getTraceId(), id -> new Fragment())
                                .add(service, resourceSpans, scopeSpans, span, error, head);
                    } else {
                        Fragment alone = new Fragment();
                        alone.add(service, resourceSpans, scopeSpans, span, false, ConsistentProbability.Head.NONE);
                        out.deadLetter(new DeadLetter(alone.encode(), problem.reason, problem.detail));
                        refusedAny = true;
                    }
                }
            }
        }
        // A record holding one trace and nothing refused (a collector partitioning by trace id
        // writes such records) is its own fragment: its bytes need no re-encoding.
        byte[] wholeRecord = byTrace.size() == 1 && !refusedAny ? record : null;
        for (Map.Entry<ByteString, Fragment> trace : byTrace.entrySet()) {
            out.fragment(trace.getValue().build(OtlpValues.hex(trace.getKey()), wholeRecord));
        }
    }

    /**
     * The valid spans of one trace in one record, grouped by resource and scope as they came. The
     * encoding is built only when the record's own bytes cannot serve.
     */
    private static final class Fragment {
        private final ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
        private final TraceFragment summary = new TraceFragment();
        private ResourceSpans lastResource;
        private ScopeSpans lastScope;
        private ResourceSpans.Builder resourceBuilder;
        private ScopeSpans.Builder scopeBuilder;

        Fragment() {
            summary.minStartNanos = Long.MAX_VALUE;
            summary.maxEndNanos = Long.MIN_VALUE;
        }

        void add(
                String service, ResourceSpans resourceSpans, ScopeSpans scopeSpans, Span span, boolean error,
                ConsistentProbability.Head head) {
            if (resourceSpans != lastResource) {
                closeScope();
                closeResource();
                resourceBuilder =
                        ResourceSpans.newBuilder()
                                .setResource(resourceSpans.getResource())
                                .setSchemaUrl(resourceSpans.getSchemaUrl());
                lastResource = resourceSpans;
            }
            if (scopeSpans != lastScope) {
                closeScope();
                scopeBuilder =
                        ScopeSpans.newBuilder()
                                .setScope(scopeSpans.getScope())
                                .setSchemaUrl(scopeSpans.getSchemaUrl());
                lastScope = scopeSpans;
            }
            scopeBuilder.addSpans(span);
            summary.spanCount++;
            summary.minStartNanos = Math.min(summary.minStartNanos, span.getStartTimeUnixNano());
            summary.maxEndNanos = Math.max(summary.maxEndNanos, span.getEndTimeUnixNano());
            summary.error |= error;
            summary.headProbability = Math.min(summary.headProbability, head.probability());
            summary.headRandomnessExplicit |= head.explicitRandomness();
            if (span.getParentSpanId().isEmpty()) {
                summary.root = true;
                summary.rootService = service;
                summary.rootOperation = span.getName();
            }
        }

        private void closeScope() {
            if (scopeBuilder != null) {
                resourceBuilder.addScopeSpans(scopeBuilder);
                scopeBuilder = null;
                lastScope = null;
            }
        }

        private void closeResource() {
            if (resourceBuilder != null) {
                request.addResourceSpans(resourceBuilder);
                resourceBuilder = null;
            }
        }

        /** A request holding just these spans, with their resources and scopes. */
        byte[] encode() {
            closeScope();
            closeResource();
            return request.build().toByteArray();
        }

        TraceFragment build(String traceId, byte[] wholeRecord) {
            summary.traceId = traceId;
            summary.payload = wholeRecord != null ? wholeRecord : encode();
            return summary;
        }
    }

    private record Problem(String reason, String detail) {}

    /** What is wrong with a span, or null when it is valid. */
    private static Problem validate(Span span) {
        Problem traceId = checkId(span.getTraceId(), TRACE_ID_BYTES, "trace", MISSING_TRACE_ID, INVALID_TRACE_ID);
        if (traceId != null) {
            return traceId;
        }
        Problem spanId = checkId(span.getSpanId(), SPAN_ID_BYTES, "span", MISSING_SPAN_ID, INVALID_SPAN_ID);
        if (spanId != null) {
            return spanId;
        }
        if (Long.compareUnsigned(span.getEndTimeUnixNano(), span.getStartTimeUnixNano()) < 0) {
            return new Problem(
                    END_BEFORE_START,
                    "span "
                            + OtlpValues.hex(span.getSpanId())
                            + " ends at "
                            + Long.toUnsignedString(span.getEndTimeUnixNano())
                            + " ns, before its start at "
                            + Long.toUnsignedString(span.getStartTimeUnixNano())
                            + " ns");
        }
        return null;
    }

    private static Problem checkId(
            ByteString id, int length, String what, String missing, String invalid) {
        if (id.isEmpty()) {
            return new Problem(missing, "the span has no " + what + " id");
        }
        if (id.size() != length) {
            return new Problem(
                    invalid,
                    what + " id has " + id.size() + " bytes, expected " + length);
        }
        for (int i = 0; i < length; i++) {
            if (id.byteAt(i) != 0) {
                return null;
            }
        }
        return new Problem(invalid, what + " id is all zeros");
    }
}

package dev.tailsampling.operators.otlp;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.tailsampling.sampling.SpanEvent;
import dev.tailsampling.sampling.SpanLink;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Decodes buffered OTLP spans into the flat {@link dev.tailsampling.sampling.Span}. */
public final class SpanDecoder {
    static final String UNKNOWN_SERVICE = "unknown_service";

    private SpanDecoder() {}

    /** Decodes a fragment's payload written by {@link OtlpDecoder}, appending its spans to {@code out}. */
    public static void decode(byte[] payload, List<dev.tailsampling.sampling.Span> out) {
        ExportTraceServiceRequest request;
        try {
            request = ExportTraceServiceRequest.parseFrom(payload);
        } catch (InvalidProtocolBufferException e) {
            // It parsed when it was buffered: failing now means the state is corrupt.
            throw new UncheckedIOException(new IOException("a buffered trace fragment no longer decodes", e));
        }
        for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
            for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
                for (Span span : scopeSpans.getSpansList()) {
                    out.add(toSpan(resourceSpans, scopeSpans, span));
                }
            }
        }
    }

    /** The flat record of one OTLP span with its resource and scope. */
    public static dev.tailsampling.sampling.Span toSpan(ResourceSpans resourceSpans, ScopeSpans scopeSpans, Span span) {
        List<KeyValue> resource = resourceSpans.getResource().getAttributesList();
        List<KeyValue> attributes = span.getAttributesList();
        dev.tailsampling.sampling.Span out = new dev.tailsampling.sampling.Span();
        out.traceId = OtlpValues.hex(span.getTraceId());
        out.spanId = OtlpValues.hex(span.getSpanId());
        out.parentSpanId = OtlpValues.hex(span.getParentSpanId());
        out.traceState = span.getTraceState();
        out.flags = span.getFlags();
        out.startTimeUnixNano = span.getStartTimeUnixNano();
        out.endTimeUnixNano = span.getEndTimeUnixNano();
        out.durationNs = out.endTimeUnixNano - out.startTimeUnixNano;

        out.serviceName = serviceName(resource);
        out.operationName = span.getName();
        out.spanKind = kind(span.getKind());
        out.statusCode = status(span.getStatus().getCode());
        out.statusMessage = span.getStatus().getMessage();

        out.httpMethod = string(attributes, SemanticConventions.HTTP_METHOD);
        out.httpStatusCode = SemanticConventions.httpStatusCode(attributes);
        out.httpRoute = string(attributes, SemanticConventions.HTTP_ROUTE);
        out.urlPath = string(attributes, SemanticConventions.URL_PATH);
        out.dbSystem = string(attributes, SemanticConventions.DB_SYSTEM);
        out.dbStatement = string(attributes, SemanticConventions.DB_STATEMENT);
        out.rpcService = string(attributes, SemanticConventions.RPC_SERVICE);
        out.rpcMethod = string(attributes, SemanticConventions.RPC_METHOD);
        out.messagingSystem = string(attributes, SemanticConventions.MESSAGING_SYSTEM);
        out.peerService = string(attributes, SemanticConventions.PEER_SERVICE);
        out.serviceVersion = spanOrResource(attributes, resource, SemanticConventions.SERVICE_VERSION);
        out.deploymentEnvironment = spanOrResource(attributes, resource, SemanticConventions.DEPLOYMENT_ENVIRONMENT);
        out.hostName = spanOrResource(attributes, resource, SemanticConventions.HOST_NAME);
        out.error = SemanticConventions.isError(span);

        out.resourceAttributes = OtlpValues.toMap(resource);
        out.attributes = OtlpValues.toMap(attributes);
        InstrumentationScope scope = scopeSpans.getScope();
        out.scopeName = scope.getName();
        out.scopeVersion = scope.getVersion();
        out.events = events(span.getEventsList());
        out.links = links(span.getLinksList());
        return out;
    }

    /** The resource's {@code service.name}, or {@code unknown_service}. */
    static String serviceName(List<KeyValue> resource) {
        String service = string(resource, SemanticConventions.SERVICE_NAME);
        return service == null || service.isEmpty() ? UNKNOWN_SERVICE : service;
    }

    private static List<SpanEvent> events(List<Span.Event> events) {
        List<SpanEvent> out = new ArrayList<>(events.size());
        for (Span.Event event : events) {
            out.add(new SpanEvent(
                    event.getTimeUnixNano(), event.getName(), OtlpValues.toMap(event.getAttributesList())));
        }
        return out;
    }

    private static List<SpanLink> links(List<Span.Link> links) {
        List<SpanLink> out = new ArrayList<>(links.size());
        for (Span.Link link : links) {
            SpanLink row = new SpanLink();
            row.traceId = OtlpValues.hex(link.getTraceId());
            row.spanId = OtlpValues.hex(link.getSpanId());
            row.traceState = link.getTraceState();
            Map<String, String> attributes = OtlpValues.toMap(link.getAttributesList());
            // OTLP links carry no relationship; a link is causal but not a parent unless it says so.
            row.relationship = "child_of".equals(attributes.get("relationship")) ? "child_of" : "follows_from";
            row.attributes = attributes;
            out.add(row);
        }
        return out;
    }

    private static String string(List<KeyValue> attributes, String[] names) {
        AnyValue value = SemanticConventions.find(attributes, names);
        return value == null ? null : OtlpValues.render(value);
    }

    private static String spanOrResource(List<KeyValue> attributes, List<KeyValue> resource, String[] names) {
        String value = string(attributes, names);
        return value != null ? value : string(resource, names);
    }

    static String kind(Span.SpanKind kind) {
        switch (kind) {
            case SPAN_KIND_SERVER:
                return "SERVER";
            case SPAN_KIND_CLIENT:
                return "CLIENT";
            case SPAN_KIND_INTERNAL:
                return "INTERNAL";
            case SPAN_KIND_PRODUCER:
                return "PRODUCER";
            case SPAN_KIND_CONSUMER:
                return "CONSUMER";
            default:
                return "UNSPECIFIED";
        }
    }

    private static String status(Status.StatusCode code) {
        switch (code) {
            case STATUS_CODE_OK:
                return "OK";
            case STATUS_CODE_ERROR:
                return "ERROR";
            default:
                return "UNSET";
        }
    }
}

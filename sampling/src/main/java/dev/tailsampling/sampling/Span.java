package dev.tailsampling.sampling;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One span, flat: the row written to the {@code spans} table. Field names are the table's column
 * names in camelCase. Public fields and a no-argument constructor make it a Flink POJO, so its
 * serializer can evolve by adding fields without breaking savepoints.
 */
public class Span {
    /** 32 lowercase hex characters. */
    public String traceId;
    /** 16 lowercase hex characters. */
    public String spanId;
    /** Empty for a root span. */
    public String parentSpanId = "";

    public String traceState = "";
    /** W3C trace flags of the span (bit 0: sampled); not a table column. */
    public int flags;

    public long startTimeUnixNano;
    public long endTimeUnixNano;
    public long durationNs;

    public String serviceName;
    public String operationName;
    /** CLIENT, SERVER, INTERNAL, PRODUCER, CONSUMER or UNSPECIFIED. */
    public String spanKind;
    /** UNSET, OK or ERROR. */
    public String statusCode;

    public String statusMessage = "";

    public String httpMethod;
    public Integer httpStatusCode;
    public String httpRoute;
    public String urlPath;
    public String dbSystem;
    public String dbStatement;
    public String rpcService;
    public String rpcMethod;
    public String messagingSystem;
    public String peerService;
    public String serviceVersion;
    public String deploymentEnvironment;
    public String hostName;

    /** Status ERROR, an {@code error=true} attribute, or an HTTP status of 500 or more. */
    public boolean error;

    public Map<String, String> resourceAttributes = new HashMap<>();
    public Map<String, String> attributes = new HashMap<>();
    public String scopeName = "";
    public String scopeVersion = "";
    public List<SpanEvent> events = new ArrayList<>();
    public List<SpanLink> links = new ArrayList<>();

    /** Name of the policy that kept the trace. */
    public String samplingPolicy;
    /** Probability with which the trace was kept (head times tail). */
    public double sampleProbability = 1.0;
    /** 1 / sampleProbability: SUM(adjusted_count) estimates the unsampled count. */
    public double adjustedCount = 1.0;
    /** What made the sampler decide: inactivity, max_duration, max_spans or late. */
    public String samplingTrigger;
    /** The trace had no root span when it was decided. */
    public boolean traceIncomplete;

    public Span() {}

    /** A span or, failing that, a resource attribute; null when neither has it. */
    public String attribute(String key) {
        String value = attributes.get(key);
        return value != null ? value : resourceAttributes.get(key);
    }

    /** True when the span has no parent. */
    public boolean isRoot() {
        return parentSpanId == null || parentSpanId.isEmpty();
    }

    /** Records the decision that kept this span's trace. */
    public void markKept(String policy, double probability, DecisionTrigger trigger, boolean incomplete) {
        this.samplingPolicy = policy;
        this.sampleProbability = probability;
        this.adjustedCount = 1.0 / probability;
        this.samplingTrigger = trigger.label();
        this.traceIncomplete = incomplete;
    }

    @Override
    public String toString() {
        return "Span{" + traceId + "/" + spanId + " " + serviceName + " " + operationName + "}";
    }
}

package dev.tailsampling.operators;

import dev.tailsampling.sampling.Span;
import dev.tailsampling.sampling.SpanEvent;
import dev.tailsampling.sampling.SpanLink;
import dev.tailsampling.sampling.TraceSummary;
import dev.tailsampling.sampling.metrics.EdgeCalls;
import dev.tailsampling.sampling.metrics.EdgeMinute;
import dev.tailsampling.sampling.metrics.OperationMinute;
import dev.tailsampling.sampling.metrics.OperationSample;
import dev.tailsampling.sampling.rates.PolicyKeeps;
import dev.tailsampling.sampling.rates.SamplingRate;
import dev.tailsampling.sampling.rates.ServiceStats;
import dev.tailsampling.sampling.summary.AttributeLocation;
import dev.tailsampling.sampling.summary.ErrorSpan;
import dev.tailsampling.sampling.summary.FollowsFrom;
import dev.tailsampling.sampling.summary.KeptTrace;
import dev.tailsampling.sampling.summary.PathStep;
import dev.tailsampling.sampling.summary.TraceLocation;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.TypeExtractor;

/**
 * The {@link TypeInformation} of every record the job moves or keeps in state. All are Flink POJO
 * types whose every field has a typed serializer (maps and lists included), so nothing falls back
 * to Kryo and a savepoint survives a field being added.
 */
public final class SamplingTypes {

    private static final TypeInformation<Map<String, String>> STRING_MAP = Types.MAP(Types.STRING, Types.STRING);

    public static final TypeInformation<TraceFragment> TRACE_FRAGMENT = pojo(TraceFragment.class, Map.of());

    public static final TypeInformation<OtlpRecord> OTLP_RECORD = pojo(OtlpRecord.class, Map.of());

    public static final TypeInformation<DeadLetter> DEAD_LETTER = pojo(DeadLetter.class, Map.of());

    public static final TypeInformation<TraceSummary> TRACE_SUMMARY = pojo(TraceSummary.class, Map.of());

    public static final TypeInformation<CachedDecision> CACHED_DECISION = pojo(CachedDecision.class, Map.of());

    public static final TypeInformation<PolicyStateEntry> POLICY_STATE_ENTRY = pojo(PolicyStateEntry.class, Map.of());

    public static final TypeInformation<SamplingRate> SAMPLING_RATE = pojo(SamplingRate.class, Map.of());

    public static final TypeInformation<PolicyKeeps> POLICY_KEEPS = pojo(PolicyKeeps.class, Map.of());

    public static final TypeInformation<ServiceStats> SERVICE_STATS = pojo(
            ServiceStats.class,
            Map.of(
                    "keptByPolicy",
                    Types.MAP(Types.STRING, POLICY_KEEPS),
                    "shadowKeptByPolicy",
                    Types.MAP(Types.STRING, POLICY_KEEPS)));

    public static final TypeInformation<SpanEvent> SPAN_EVENT = pojo(SpanEvent.class, Map.of("attributes", STRING_MAP));

    public static final TypeInformation<SpanLink> SPAN_LINK = pojo(SpanLink.class, Map.of("attributes", STRING_MAP));

    public static final TypeInformation<Span> SPAN = pojo(
            Span.class,
            Map.of(
                    "resourceAttributes",
                    STRING_MAP,
                    "attributes",
                    STRING_MAP,
                    "events",
                    Types.LIST(SPAN_EVENT),
                    "links",
                    Types.LIST(SPAN_LINK)));

    public static final TypeInformation<PathStep> PATH_STEP = pojo(PathStep.class, Map.of());

    public static final TypeInformation<ErrorSpan> ERROR_SPAN = pojo(ErrorSpan.class, Map.of());

    public static final TypeInformation<FollowsFrom> FOLLOWS_FROM = pojo(FollowsFrom.class, Map.of());

    public static final TypeInformation<KeptTrace> KEPT_TRACE = pojo(
            KeptTrace.class,
            Map.of(
                    "services", Types.LIST(Types.STRING),
                    "criticalPath", Types.LIST(PATH_STEP),
                    "errorSpans", Types.LIST(ERROR_SPAN),
                    "followsFrom", Types.LIST(FOLLOWS_FROM)));

    public static final TypeInformation<TraceLocation> TRACE_LOCATION = pojo(TraceLocation.class, Map.of());

    public static final TypeInformation<AttributeLocation> ATTRIBUTE_LOCATION = pojo(AttributeLocation.class, Map.of());

    public static final TypeInformation<OperationSample> OPERATION_SAMPLE = pojo(OperationSample.class, Map.of());

    public static final TypeInformation<OperationMinute> OPERATION_MINUTE = pojo(OperationMinute.class, Map.of());

    public static final TypeInformation<EdgeCalls> EDGE_CALLS = pojo(EdgeCalls.class, Map.of());

    public static final TypeInformation<EdgeMinute> EDGE_MINUTE = pojo(EdgeMinute.class, Map.of());

    private SamplingTypes() {}

    /** A POJO type whose fields are extracted, except the collection fields given explicitly. */
    public static <T> TypeInformation<T> pojo(Class<T> type, Map<String, TypeInformation<?>> collectionFields) {
        Map<String, TypeInformation<?>> fields = new LinkedHashMap<>();
        for (Field field : type.getFields()) {
            if (Modifier.isStatic(field.getModifiers())) {
                continue;
            }
            TypeInformation<?> explicit = collectionFields.get(field.getName());
            fields.put(
                    field.getName(),
                    explicit != null ? explicit : TypeExtractor.createTypeInfo(field.getGenericType()));
        }
        return Types.POJO(type, fields);
    }

    /** Every record type, for the test that none of them is a generic (Kryo) type. */
    public static List<TypeInformation<?>> all() {
        return List.of(
                TRACE_FRAGMENT,
                OTLP_RECORD,
                DEAD_LETTER,
                TRACE_SUMMARY,
                CACHED_DECISION,
                POLICY_STATE_ENTRY,
                SAMPLING_RATE,
                POLICY_KEEPS,
                SERVICE_STATS,
                SPAN_EVENT,
                SPAN_LINK,
                SPAN,
                PATH_STEP,
                ERROR_SPAN,
                FOLLOWS_FROM,
                KEPT_TRACE,
                TRACE_LOCATION,
                ATTRIBUTE_LOCATION,
                OPERATION_SAMPLE,
                OPERATION_MINUTE,
                EDGE_CALLS,
                EDGE_MINUTE);
    }
}

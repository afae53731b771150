package dev.tailsampling.operators;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.operators.otlp.OtlpTestData;
import dev.tailsampling.operators.otlp.SpanDecoder;
import dev.tailsampling.sampling.DecisionTrigger;
import dev.tailsampling.sampling.Span;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.CompositeType;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.api.java.typeutils.ListTypeInfo;
import org.apache.flink.api.java.typeutils.MapTypeInfo;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class SamplingTypesTest {

    @Test
    void noRecordTypeFallsBackToKryo() {
        for (TypeInformation<?> type : SamplingTypes.all()) {
            assertThat(type).as(type.toString()).isInstanceOf(PojoTypeInfo.class);
            assertNoGenericType(type);
        }
    }

    @Test
    void stateSerializersAreTyped() {
        TailSamplerFunction.SPANS.initializeSerializerUnlessSet(new ExecutionConfig());
        TailSamplerFunction.SUMMARY.initializeSerializerUnlessSet(new ExecutionConfig());
        assertThat(TailSamplerFunction.SPANS.getElementSerializer()).isInstanceOf(BytePrimitiveArraySerializer.class);
        assertThat(TailSamplerFunction.SUMMARY.getSerializer()).isInstanceOf(PojoSerializer.class);
        TailSamplerFunction.BUFFERED_TRACES.initializeSerializerUnlessSet(new ExecutionConfig());
        assertThat(TailSamplerFunction.BUFFERED_TRACES.getElementSerializer()).isInstanceOf(LongSerializer.class);
    }

    private static void assertNoGenericType(TypeInformation<?> type) {
        assertThat(type).as(type.toString()).isNotInstanceOf(GenericTypeInfo.class);
        if (type instanceof CompositeType) {
            CompositeType<?> composite = (CompositeType<?>) type;
            for (int i = 0; i < composite.getArity(); i++) {
                assertNoGenericType(composite.getTypeAt(i));
            }
        } else if (type instanceof MapTypeInfo) {
            assertNoGenericType(((MapTypeInfo<?, ?>) type).getKeyTypeInfo());
            assertNoGenericType(((MapTypeInfo<?, ?>) type).getValueTypeInfo());
        } else if (type instanceof ListTypeInfo) {
            assertNoGenericType(((ListTypeInfo<?>) type).getElementTypeInfo());
        }
    }

    @Test
    void aSpanSurvivesItsSerializer() throws Exception {
        List<Span> decoded = new ArrayList<>();
        SpanDecoder.decode(
                OtlpTestData.request(OtlpTestData.resourceSpans(
                                "checkout",
                                OtlpTestData.span(
                                                "4bf92f3577b34da6a3ce929d0e0e4736",
                                                "00f067aa0ba902b7",
                                                "",
                                                "GET /cart",
                                                0,
                                                30)
                                        .addAttributes(OtlpTestData.attr("http.status_code", 200))
                                        .addEvents(io.opentelemetry.proto.trace.v1.Span.Event.newBuilder()
                                                .setName("retry"))))
                        .toByteArray(),
                decoded);
        Span span = decoded.get(0);
        span.markKept("errors", 0.25, DecisionTrigger.MAX_SPANS, false);
        TypeSerializer<Span> serializer = SamplingTypes.SPAN.createSerializer(new SerializerConfigImpl());
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(span, out);
        Span copy = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));

        assertThat(copy).usingRecursiveComparison().isEqualTo(span);
        assertThat(copy.adjustedCount).isEqualTo(4.0);
        assertThat(copy.httpStatusCode).isEqualTo(200);
    }
}

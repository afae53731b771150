package dev.tailsampling.sampling.propagation;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PropagationTest {
    private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
    private static final SpanContext PRODUCER = SpanContext.createFromRemoteParent(
            TRACE,
            "b7ad6b7169203331",
            TraceFlags.getSampled(),
            TraceState.builder().put("ot", "th:8").put("shop", "canary").build());

    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    private final SdkTracerProvider provider = SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(exporter))
            .build();
    private final Tracer tracer = provider.get("test");

    @AfterEach
    void close() {
        provider.close();
    }

    @Test
    void parsesAndFormatsW3cTraceContext() {
        assertThat(TraceParent.format(PRODUCER)).isEqualTo("00-" + TRACE + "-b7ad6b7169203331-01");
        Map<String, String> headers = TraceParent.headers(PRODUCER);
        SpanContext parsed = TraceParent.parse(headers.get("traceparent"), headers.get("tracestate"));
        assertThat(parsed.getTraceId()).isEqualTo(TRACE);
        assertThat(parsed.getSpanId()).isEqualTo("b7ad6b7169203331");
        assertThat(parsed.isSampled()).isTrue();
        assertThat(parsed.isRemote()).isTrue();
        assertThat(parsed.getTraceState().get("ot")).isEqualTo("th:8");
        assertThat(parsed.getTraceState().get("shop")).isEqualTo("canary");

        assertThat(TraceParent.parse("00-" + TRACE + "-b7ad6b7169203331-00", null)
                        .isSampled())
                .isFalse();
        assertThat(TraceParent.parse("00-nothex-b7ad6b7169203331-01", null).isValid())
                .isFalse();
        assertThat(TraceParent.parse(null, "ot=th:8").isValid()).isFalse();
        assertThat(TraceParent.format(SpanContext.getInvalid())).isNull();
    }

    @Test
    void aConsumerContinuesTheProducersTraceAsAChildThroughRecordHeaders() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("traceparent", "stale".getBytes(StandardCharsets.UTF_8));
        Span producer =
                tracer.spanBuilder("send orders").setSpanKind(SpanKind.PRODUCER).startSpan();
        KafkaHeaders.inject(Context.root().with(producer), headers);
        producer.end();
        assertThat(headers.headers("traceparent"))
                .as("the stale header is replaced")
                .hasSize(1);

        KafkaHeaders.consumerSpan(tracer, "process orders", headers, KafkaHeaders.Continuation.CHILD)
                .startSpan()
                .end();

        SpanData consumer = finished("process orders");
        assertThat(consumer.getKind()).isEqualTo(SpanKind.CONSUMER);
        assertThat(consumer.getTraceId()).isEqualTo(producer.getSpanContext().getTraceId());
        assertThat(consumer.getParentSpanId())
                .isEqualTo(producer.getSpanContext().getSpanId());
        assertThat(consumer.getLinks()).isEmpty();
    }

    @Test
    void aConsumerStartsANewTraceThatFollowsFromTheProducer() {
        RecordHeaders headers = new RecordHeaders();
        KafkaHeaders.inject(Context.root().with(Span.wrap(PRODUCER)), headers);
        assertThat(KafkaHeaders.extract(headers)).isEqualTo(PRODUCER);

        KafkaHeaders.consumerSpan(tracer, "process orders", headers, KafkaHeaders.Continuation.NEW_TRACE_FOLLOWS_FROM)
                .startSpan()
                .end();

        SpanData consumer = finished("process orders");
        assertThat(consumer.getTraceId()).isNotEqualTo(TRACE);
        assertThat(consumer.getParentSpanContext().isValid()).isFalse();
        assertThat(consumer.getLinks()).singleElement().satisfies((LinkData link) -> {
            assertThat(link.getSpanContext().getTraceId()).isEqualTo(TRACE);
            assertThat(link.getSpanContext().getSpanId()).isEqualTo("b7ad6b7169203331");
            assertThat(link.getAttributes().get(KafkaHeaders.RELATIONSHIP)).isEqualTo("follows_from");
        });

        KafkaHeaders.consumerSpan(tracer, "no context", new RecordHeaders(), KafkaHeaders.Continuation.CHILD)
                .startSpan()
                .end();
        assertThat(finished("no context").getParentSpanContext().isValid()).isFalse();
    }

    @Test
    void putsTheTraceContextInASqlCommentAndReadsItBackFromTheStatement() {
        Context context = Context.root().with(Span.wrap(PRODUCER));
        String sql = SqlCommenter.comment("SELECT qty FROM stock WHERE sku = $1;", context);
        assertThat(sql)
                .isEqualTo("SELECT qty FROM stock WHERE sku = $1 /*traceparent='00-" + TRACE
                        + "-b7ad6b7169203331-01',tracestate='shop%3Dcanary%2Cot%3Dth%3A8'*/;");
        SpanContext read = SqlCommenter.extract(sql);
        assertThat(read.getTraceId()).isEqualTo(TRACE);
        assertThat(read.getSpanId()).isEqualTo("b7ad6b7169203331");
        assertThat(read.getTraceState().get("ot")).isEqualTo("th:8");

        assertThat(SqlCommenter.comment(sql, context))
                .as("a commented statement is left alone")
                .isEqualTo(sql);
        assertThat(SqlCommenter.comment("SELECT 1", Context.root())).isEqualTo("SELECT 1");
        assertThat(SqlCommenter.extract("SELECT 1 /*action='list',traceparent='00-" + TRACE + "-b7ad6b7169203331-00'*/")
                        .getSpanId())
                .isEqualTo("b7ad6b7169203331");
        assertThat(SqlCommenter.extract("SELECT 1").isValid()).isFalse();
        assertThat(SqlCommenter.extract("SELECT /* hint */ 1").isValid()).isFalse();
    }

    private SpanData finished(String name) {
        return exporter.getFinishedSpanItems().stream()
                .filter(s -> s.getName().equals(name))
                .findFirst()
                .orElseThrow();
    }
}

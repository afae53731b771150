package dev.tailsampling.local;

import io.opentelemetry.exporter.internal.otlp.traces.TraceRequestMarshaler;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Publishes SDK spans to Kafka the way the OpenTelemetry Collector's kafka exporter does with
 * {@code encoding: otlp_proto} and {@code partition_traces_by_id: true}: one OTLP
 * ExportTraceServiceRequest per trace and batch, keyed by the trace id.
 */
final class KafkaSpanExporter implements SpanExporter {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final AtomicLong spansSent = new AtomicLong();
    private final AtomicLong sendFailures = new AtomicLong();

    KafkaSpanExporter(KafkaProducer<byte[], byte[]> producer, String topic) {
        this.producer = producer;
        this.topic = topic;
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
        Map<String, List<SpanData>> byTrace = new HashMap<>();
        for (SpanData span : spans) {
            byTrace.computeIfAbsent(span.getTraceId(), id -> new ArrayList<>()).add(span);
        }
        for (Map.Entry<String, List<SpanData>> trace : byTrace.entrySet()) {
            int count = trace.getValue().size();
            producer.send(
                    new ProducerRecord<>(
                            topic, trace.getKey().getBytes(StandardCharsets.UTF_8), encode(trace.getValue())),
                    (metadata, failure) -> {
                        if (failure == null) {
                            spansSent.addAndGet(count);
                        } else {
                            sendFailures.incrementAndGet();
                        }
                    });
        }
        return CompletableResultCode.ofSuccess();
    }

    private static byte[] encode(List<SpanData> spans) {
        TraceRequestMarshaler request = TraceRequestMarshaler.create(spans);
        ByteArrayOutputStream out = new ByteArrayOutputStream(request.getBinarySerializedSize());
        try {
            request.writeBinaryTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode spans as OTLP", e);
        }
        return out.toByteArray();
    }

    /** Spans the broker acknowledged. */
    long spansSent() {
        return spansSent.get();
    }

    long sendFailures() {
        return sendFailures.get();
    }

    @Override
    public CompletableResultCode flush() {
        producer.flush();
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
        return flush();
    }
}

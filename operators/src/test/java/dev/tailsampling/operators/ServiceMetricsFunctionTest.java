package dev.tailsampling.operators;

import static dev.tailsampling.operators.otlp.OtlpTestData.error;
import static dev.tailsampling.operators.otlp.OtlpTestData.request;
import static dev.tailsampling.operators.otlp.OtlpTestData.resourceSpans;
import static dev.tailsampling.operators.otlp.OtlpTestData.span;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.tailsampling.operators.otlp.DecodeLimits;
import dev.tailsampling.operators.otlp.OtlpTestData;
import dev.tailsampling.operators.otlp.Redaction;
import dev.tailsampling.sampling.metrics.OperationMinute;
import dev.tailsampling.sampling.metrics.OperationSample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Counting every span before sampling: the decoder's samples, then the keyed minute rows. */
class ServiceMetricsFunctionTest {
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

    private static List<OperationSample> decode(byte[] record) throws Exception {
        try (OneInputStreamOperatorTestHarness<OtlpRecord, TraceFragment> harness =
                new OneInputStreamOperatorTestHarness<>(new DecodeOperator(DecodeLimits.DEFAULTS, Redaction.NONE))) {
            harness.setProcessingTime(OtlpTestData.T0 / 1_000_000L);
            harness.open();
            harness.processElement(new OtlpRecord(record, "otlp_spans", 0, 0), 0);
            harness.prepareSnapshotPreBarrier(1);
            return harness.getSideOutput(DecodeFunction.METRICS).stream()
                    .map(StreamRecord::getValue)
                    .toList();
        }
    }

    @Test
    void theDecoderCountsEverySpanOfARecordByServiceOperationAndKind() throws Exception {
        byte[] record = request(
                        resourceSpans(
                                "cart",
                                span(TRACE, "0000000000000001", "", "GET /cart", 0, 40),
                                error(span(TRACE, "0000000000000002", "0000000000000001", "GET /cart", 5, 10)),
                                span("5bf92f3577b34da6a3ce929d0e0e4736", "0000000000000003", "", "load", 1, 3)),
                        resourceSpans("pay", span(TRACE, "0000000000000004", "0000000000000001", "charge", 10, 20)))
                .toByteArray();
        List<OperationSample> samples = decode(record);

        assertThat(samples).hasSize(3);
        OperationSample cart = samples.stream()
                .filter(s -> s.operationName.equals("GET /cart"))
                .findFirst()
                .orElseThrow();
        assertThat(cart.serviceName).isEqualTo("cart");
        assertThat(cart.spanKind).isEqualTo("SERVER");
        assertThat(cart.count).isEqualTo(2);
        assertThat(cart.errors).isEqualTo(1);
        assertThat(cart.durationsNs).containsExactlyInAnyOrder(40_000_000L, 10_000_000L);
        assertThat(samples)
                .filteredOn(s -> s.serviceName.equals("pay"))
                .singleElement()
                .satisfies(s -> assertThat(s.count).isEqualTo(1));
    }

    @Test
    void spansBehindAHeadSamplerCarryItsProbabilityIntoTheirSample() throws Exception {
        String other = "5bf92f3577b34da6a3ce929d0e0e4736";
        byte[] record = request(resourceSpans(
                        "cart",
                        span(TRACE, "0000000000000001", "", "GET /cart", 0, 40).setTraceState("ot=th:c"),
                        span(TRACE, "0000000000000002", "", "GET /cart", 1, 30).setTraceState("ot=th:c"),
                        span(other, "0000000000000003", "", "GET /cart", 2, 20)))
                .toByteArray();
        List<OperationSample> samples = decode(record);

        // th:c rejects three quarters of the randomness: each span stands for four.
        assertThat(samples)
                .extracting(s -> s.headProbability, s -> s.count)
                .containsExactlyInAnyOrder(tuple(0.25, 2L), tuple(1.0, 1L));
        OperationMinute minute = OperationMinute.startedBy(samples.get(0));
        samples.forEach(minute::add);
        assertThat(minute.requestCount).isEqualTo(3);
        assertThat(minute.estimatedRequests).isEqualTo(9.0);
        assertThat(minute.durations().getCount()).isEqualTo(9.0);
    }

    @Test
    void aMinuteIsWrittenOnceItHasEndedAndTheDelayPassed() throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, OperationSample, OperationMinute> harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new ServiceMetricsFunction(Duration.ofSeconds(30))),
                        OperationSample::key,
                        Types.STRING);
        harness.setStateBackend(new EmbeddedRocksDBStateBackend());
        harness.open();
        long minute = 1_800_000_000_000L;
        harness.setProcessingTime(minute + 10_000);
        harness.processElement(sample(minute, 3, 1), 0);
        harness.processElement(sample(minute, 2, 0), 0);
        harness.processElement(sample(minute + 60_000, 1, 0), 0);

        harness.setProcessingTime(minute + 60_000 + 29_999);
        assertThat(harness.extractOutputValues()).isEmpty();
        harness.setProcessingTime(minute + 60_000 + 30_000);
        List<OperationMinute> rows = new ArrayList<>(harness.extractOutputValues());
        assertThat(rows).singleElement().satisfies(row -> {
            assertThat(row.minuteMillis).isEqualTo(minute);
            assertThat(row.requestCount).isEqualTo(5);
            assertThat(row.errorCount).isEqualTo(1);
            assertThat(row.maxNs).isEqualTo(3_000);
            assertThat(row.durations().getCount()).isEqualTo(5.0);
        });

        // A straggler for a written minute starts a new row, written a delay later.
        harness.processElement(sample(minute, 1, 1), 0);
        harness.setProcessingTime(minute + 120_000 + 30_000);
        assertThat(harness.extractOutputValues()).hasSize(3);
        assertThat(harness.getOperator()
                        .getKeyedStateBackend()
                        .getKeys(ServiceMetricsFunction.MINUTE.getName(), VoidNamespace.INSTANCE))
                .isEmpty();
        harness.close();
    }

    private static OperationSample sample(long minuteMillis, int count, int errors) {
        OperationSample sample = new OperationSample();
        sample.serviceName = "cart";
        sample.operationName = "GET /cart";
        sample.spanKind = "SERVER";
        sample.minuteMillis = minuteMillis;
        sample.count = count;
        sample.errors = errors;
        sample.durationsNs = new long[count];
        for (int i = 0; i < count; i++) {
            sample.durationsNs[i] = (i + 1) * 1_000L;
        }
        return sample;
    }
}

package dev.tailsampling.operators;

import static dev.tailsampling.operators.otlp.OtlpTestData.request;
import static dev.tailsampling.operators.otlp.OtlpTestData.resourceSpans;
import static dev.tailsampling.operators.otlp.OtlpTestData.span;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.operators.otlp.DecodeLimits;
import dev.tailsampling.operators.otlp.OtlpTestData;
import dev.tailsampling.operators.otlp.Redaction;
import dev.tailsampling.sampling.metrics.OperationSample;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The decode operator sends the samples of many records at once: on its timer, before a barrier, at the end. */
class DecodeOperatorTest {
    private static final long NOW = OtlpTestData.T0 / 1_000_000L;

    private static OtlpRecord cartRecord(int index) {
        String trace = String.format("%032x", 0x4bf9L + index);
        return new OtlpRecord(
                request(resourceSpans("cart", span(trace, "0000000000000001", "", "GET /cart", index, 40)))
                        .toByteArray(),
                "otlp_spans",
                0,
                index);
    }

    private static List<OperationSample> samples(OneInputStreamOperatorTestHarness<OtlpRecord, TraceFragment> harness) {
        return harness.getSideOutput(DecodeFunction.METRICS) == null
                ? List.of()
                : harness.getSideOutput(DecodeFunction.METRICS).stream()
                        .map(StreamRecord::getValue)
                        .toList();
    }

    @Test
    void samplesOfManyRecordsGoOutTogetherOnTheTimerBeforeABarrierAndAtTheEnd() throws Exception {
        try (OneInputStreamOperatorTestHarness<OtlpRecord, TraceFragment> harness =
                new OneInputStreamOperatorTestHarness<>(new DecodeOperator(DecodeLimits.DEFAULTS, Redaction.NONE))) {
            harness.setProcessingTime(NOW);
            harness.open();
            for (int i = 0; i < 3; i++) {
                harness.processElement(cartRecord(i), 0);
            }
            assertThat(harness.extractOutputValues()).as("fragments go at once").hasSize(3);
            assertThat(samples(harness)).as("samples wait for the timer").isEmpty();

            harness.setProcessingTime(NOW + DecodeOperator.SEND_EVERY_MILLIS);
            assertThat(samples(harness)).singleElement().satisfies(s -> {
                assertThat(s.operationName).isEqualTo("GET /cart");
                assertThat(s.count).isEqualTo(3);
                assertThat(s.durationsNs).hasSize(3);
            });

            harness.processElement(cartRecord(3), 0);
            harness.prepareSnapshotPreBarrier(1);
            assertThat(samples(harness)).as("a barrier follows the samples").hasSize(2);

            harness.processElement(cartRecord(4), 0);
            harness.getOneInputOperator().finish();
            assertThat(samples(harness))
                    .as("the end of the input sends the rest")
                    .hasSize(3);
            assertThat(samples(harness).stream().mapToLong(s -> s.count).sum()).isEqualTo(5);
        }
    }
}

package dev.tailsampling.operators;

import static dev.tailsampling.operators.otlp.OtlpTestData.request;
import static dev.tailsampling.operators.otlp.OtlpTestData.resourceSpans;
import static dev.tailsampling.operators.otlp.OtlpTestData.span;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.operators.otlp.CollectingOutput;
import dev.tailsampling.operators.otlp.DecodeLimits;
import dev.tailsampling.operators.otlp.OtlpDecoder;
import dev.tailsampling.sampling.rates.SamplingRate;
import java.time.Duration;
import org.apache.flink.streaming.util.BroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class PreSamplingFunctionTest {
    private static final String LOW = "00000000000000000010000000000000";
    private static final String HIGH = "00000000000000000090000000000000";

    private static final Duration MAX_AGE = Duration.ofMinutes(30);

    private static SamplingRate controllerRate(long updatedAtMillis) {
        return new SamplingRate(
                SamplingRate.DEFAULT_KEY, 0.01, 0.5, "over_budget", SamplingRate.SOURCE_CONTROLLER, 0, updatedAtMillis);
    }

    /** A root span and its child, as the decoder makes them into a fragment. */
    private static TraceFragment fragment(String traceId) {
        CollectingOutput out = new CollectingOutput();
        new OtlpDecoder(DecodeLimits.DEFAULTS.anyTime())
                .decode(
                        request(resourceSpans(
                                        "shop",
                                        span(traceId, "00f067aa0ba902b7", "", "GET /", 0, 10),
                                        span(traceId, "00f067aa0ba902b8", "00f067aa0ba902b7", "SELECT", 1, 5)))
                                .toByteArray(),
                        0,
                        out);
        return out.fragments.get(0);
    }

    @Test
    void keepsEverythingUntilARateArrivesThenShedsByTheTraceIdThreshold() throws Exception {
        try (BroadcastOperatorTestHarness<TraceFragment, SamplingRate, TraceFragment> harness =
                ProcessFunctionTestHarnesses.forBroadcastProcessFunction(
                        new PreSamplingFunction(MAX_AGE), SamplingRatesState.DESCRIPTOR)) {
            harness.processElement(fragment(LOW), 0);
            harness.processElement(fragment(HIGH), 0);
            assertThat(harness.extractOutputValues()).hasSize(2).allSatisfy(f -> assertThat(f.presampleRate)
                    .isEqualTo(1.0));

            harness.processBroadcastElement(controllerRate(System.currentTimeMillis()), 0);
            harness.processElement(fragment(LOW), 0);
            harness.processElement(fragment(HIGH), 0);

            // HIGH's randomness is 0x90/0x100 of the range, above the 0.5 threshold; LOW's is below.
            assertThat(harness.extractOutputValues()
                            .subList(2, harness.extractOutputValues().size()))
                    .singleElement()
                    .satisfies(f -> {
                        assertThat(f.traceId).isEqualTo(HIGH);
                        assertThat(f.presampleRate).isEqualTo(0.5);
                    });
        }
    }

    @Test
    void keepsEveryTraceWhenTheControllerHasGoneSilent() throws Exception {
        try (BroadcastOperatorTestHarness<TraceFragment, SamplingRate, TraceFragment> harness =
                ProcessFunctionTestHarnesses.forBroadcastProcessFunction(
                        new PreSamplingFunction(MAX_AGE), SamplingRatesState.DESCRIPTOR)) {
            long anHourAgo = System.currentTimeMillis() - Duration.ofHours(1).toMillis();
            harness.processBroadcastElement(controllerRate(anHourAgo), 0);
            harness.processElement(fragment(LOW), 0);

            assertThat(harness.extractOutputValues()).singleElement().satisfies(f -> assertThat(f.presampleRate)
                    .isEqualTo(1.0));
        }
    }

    @Test
    void aTombstoneRemovesTheRate() throws Exception {
        try (BroadcastOperatorTestHarness<TraceFragment, SamplingRate, TraceFragment> harness =
                ProcessFunctionTestHarnesses.forBroadcastProcessFunction(
                        new PreSamplingFunction(MAX_AGE), SamplingRatesState.DESCRIPTOR)) {
            harness.processBroadcastElement(controllerRate(System.currentTimeMillis()), 0);
            harness.processBroadcastElement(SamplingRate.removal(SamplingRate.DEFAULT_KEY), 0);
            harness.processElement(fragment(LOW), 0);

            assertThat(harness.extractOutputValues()).singleElement().satisfies(f -> assertThat(f.presampleRate)
                    .isEqualTo(1.0));
        }
    }
}

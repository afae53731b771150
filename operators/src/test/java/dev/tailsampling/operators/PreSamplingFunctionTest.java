package dev.tailsampling.operators;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.streaming.util.BroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;

import dev.tailsampling.sampling.rates.SamplingRate;

import org.junit.jupiter.api.Test;

class PreSamplingFunctionTest {
    private static final String LOW = "00000000000000000010000000000000";
    private static final String HIGH = "00000000000000000090000000000000";

    private static TraceFragment fragment(String traceId) {
        TraceFragment fragment = new TraceFragment();
        fragment.traceId = traceId;
        fragment.spanCount = 2;
        fragment.payload = new byte[0];
        return fragment;
    }

    @Test
    void keepsEverythingUntilARateArrivesThenShedsByTheTraceIdThreshold() throws Exception {
        try (BroadcastOperatorTestHarness<TraceFragment, SamplingRate, TraceFragment> harness =
                ProcessFunctionTestHarnesses.forBroadcastProcessFunction(
                        new PreSamplingFunction(), SamplingRatesState.DESCRIPTOR)) {
            harness.processElement(fragment(LOW), 0);
            harness.processElement(fragment(HIGH), 0);
            assertThat(harness.extractOutputValues()).hasSize(2).allSatisfy(f -> assertThat(f.presampleRate).isEqualTo(1.0));

            harness.processBroadcastElement(
                    new SamplingRate(SamplingRate.DEFAULT_KEY, 0.01, 0.5, "over_budget", SamplingRate.SOURCE_CONTROLLER, 0, 0), 0);
            harness.processElement(fragment(LOW), 0);
            harness.processElement(fragment(HIGH), 0);

            // HIGH's randomness is 0x90/0x100 of the range, above the 0.5 threshold; LOW's is below.
            assertThat(harness.extractOutputValues().subList(2, harness.extractOutputValues().size()))
                    .singleElement()
                    .satisfies(f -> {
                        assertThat(f.traceId).isEqualTo(HIGH);
                        assertThat(f.presampleRate).isEqualTo(0.5);
                    });
        }
    }
}

package dev.tailsampling.operators;

import static dev.tailsampling.operators.otlp.OtlpTestData.error;
import static dev.tailsampling.operators.otlp.OtlpTestData.request;
import static dev.tailsampling.operators.otlp.OtlpTestData.resourceSpans;
import static dev.tailsampling.operators.otlp.OtlpTestData.span;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.operators.decide.BufferLimits;
import dev.tailsampling.operators.otlp.CollectingOutput;
import dev.tailsampling.operators.otlp.DecodeLimits;
import dev.tailsampling.operators.otlp.OtlpDecoder;
import dev.tailsampling.sampling.PolicySet;
import dev.tailsampling.sampling.Span;
import dev.tailsampling.sampling.policy.ErrorPolicy;
import dev.tailsampling.sampling.policy.LearnedLatencyPolicy;
import dev.tailsampling.sampling.policy.RepresentativePolicy;
import dev.tailsampling.sampling.rates.SamplingRate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.Test;

/**
 * The tail sampler's state as an earlier version wrote it restores into this one: buffered spans
 * and their summary, the trace's timer, cached decisions, what the learned policy learned and the
 * controller's rates. The snapshot in {@code src/test/resources/savepoints} was written by {@link
 * #main} on version 0.1.0 (RocksDB, full snapshot, the format savepoints use); it stays as it is,
 * so that a change to the state's layout fails here before it fails an upgrade.
 */
class SamplerSavepointCompatibilityTest {
    static final Path SNAPSHOT = Path.of("src/test/resources/savepoints/tail-sampler-0.1.0.snapshot");

    // Randomness (the low 56 bits) 0: kept by no rate below 1.
    /** Kept by the error policy before the snapshot; a span arriving after the restore follows it. */
    private static final String KEPT = "000000000000000a0000000000000000";
    /** Dropped before the snapshot: no error, and not slower than what the learned policy knew. */
    private static final String DROPPED = "000000000000000b0000000000000000";
    /** Buffered at the snapshot, in two records, an error among its spans. */
    private static final String BUFFERED = "000000000000000c0000000000000000";
    /** Randomness a quarter of the range: kept at the configured rate 1, not at the controller's 0.5. */
    private static final String MIDDLE = "00000000000000000040000000000000";

    private static final String ROOT = "00f067aa0ba902b7";

    private static final long WAIT = 10_000;
    private static final OtlpDecoder DECODER = new OtlpDecoder(DecodeLimits.DEFAULTS.anyTime());

    /** Writes the snapshot the test restores; run it only when a new layout is meant. */
    public static void main(String[] args) throws Exception {
        try (KeyedBroadcastOperatorTestHarness<String, TraceFragment, SamplingRate, Span> harness =
                harness(learned())) {
            harness.open();
            harness.setProcessingTime(0);
            harness.processBroadcastElement(
                    new SamplingRate("shop", 0.5, 1.0, "steady", SamplingRate.SOURCE_CONTROLLER, 0, 0), 0);
            send(harness, KEPT, "0000000000000001", "", true);
            send(harness, DROPPED, "0000000000000001", "", false);
            harness.setProcessingTime(WAIT);
            harness.setProcessingTime(WAIT + 1_000);
            send(harness, BUFFERED, "0000000000000001", "", false);
            send(harness, BUFFERED, "0000000000000002", ROOT, true);
            OperatorSubtaskState state = harness.snapshot(1, WAIT + 2_000);
            Files.createDirectories(SNAPSHOT.getParent());
            OperatorSnapshotUtil.writeStateHandle(state, SNAPSHOT.toString());
        }
    }

    @Test
    void stateWrittenByVersion010RestoresWithItsTracesDecisionsLearningAndRates() throws Exception {
        LearnedLatencyPolicy learned = learned();
        try (KeyedBroadcastOperatorTestHarness<String, TraceFragment, SamplingRate, Span> harness = harness(learned)) {
            harness.setup();
            harness.initializeState(OperatorSnapshotUtil.readStateHandle(SNAPSHOT.toString()));
            harness.open();
            assertThat(learned.threshold("shop", "op"))
                    .as("the sketch learned before the snapshot")
                    .isNotNaN();
            assertThat(harness.numProcessingTimeTimers())
                    .as("the buffered trace's timer")
                    .isEqualTo(1);

            harness.setProcessingTime(WAIT + 3_000);
            send(harness, KEPT, "0000000000000002", ROOT, false);
            send(harness, DROPPED, "0000000000000002", ROOT, false);
            assertThat(harness.extractOutputValues())
                    .as("the late span of the kept trace, none of the dropped one")
                    .singleElement()
                    .satisfies(s -> {
                        assertThat(s.traceId).isEqualTo(KEPT);
                        assertThat(s.samplingPolicy).isEqualTo("errors");
                        assertThat(s.samplingTrigger).isEqualTo("late");
                    });

            // Faster than what the learned policy learned, so only the representative sample could keep it.
            send(harness, MIDDLE, "0000000000000001", "", false, 1);
            harness.setProcessingTime(WAIT + 3_000 + WAIT);
            List<Span> decided = harness.extractOutputValues()
                    .subList(1, harness.extractOutputValues().size());
            assertThat(decided)
                    .as("the buffered trace whole; the new one dropped at the restored rate 0.5")
                    .extracting(s -> s.traceId + "/" + s.spanId + "/" + s.samplingPolicy)
                    .containsExactlyInAnyOrder(
                            BUFFERED + "/0000000000000001/errors", BUFFERED + "/0000000000000002/errors");
        }
    }

    private static LearnedLatencyPolicy learned() {
        return new LearnedLatencyPolicy("learned", 0.95, 1, 0.01);
    }

    private static KeyedBroadcastOperatorTestHarness<String, TraceFragment, SamplingRate, Span> harness(
            LearnedLatencyPolicy learned) throws Exception {
        PolicySet policy = new PolicySet(
                List.of(new ErrorPolicy("errors"), learned, new RepresentativePolicy("representative", 1.0)));
        TailSamplerFunction sampler = new TailSamplerFunction(
                policy,
                null,
                new BufferLimits(Duration.ofMillis(WAIT), Duration.ofMinutes(1), 1_000, 1L << 20),
                Duration.ofMinutes(5),
                Set.of());
        KeyedBroadcastOperatorTestHarness<String, TraceFragment, SamplingRate, Span> harness =
                new KeyedBroadcastOperatorTestHarness<>(
                        new CoBroadcastWithKeyedOperator<>(sampler, List.of(SamplingRatesState.DESCRIPTOR)),
                        fragment -> fragment.traceId,
                        Types.STRING,
                        128,
                        1,
                        0);
        harness.setStateBackend(new EmbeddedRocksDBStateBackend());
        return harness;
    }

    /** One span of service shop lasting 5 ms, as the decoder makes it into a fragment. */
    private static void send(
            KeyedBroadcastOperatorTestHarness<String, TraceFragment, SamplingRate, Span> harness,
            String traceId,
            String spanId,
            String parentSpanId,
            boolean failed)
            throws Exception {
        send(harness, traceId, spanId, parentSpanId, failed, 5);
    }

    private static void send(
            KeyedBroadcastOperatorTestHarness<String, TraceFragment, SamplingRate, Span> harness,
            String traceId,
            String spanId,
            String parentSpanId,
            boolean failed,
            long durationMillis)
            throws Exception {
        io.opentelemetry.proto.trace.v1.Span.Builder span =
                span(traceId, spanId, parentSpanId, "op", 0, durationMillis);
        CollectingOutput out = new CollectingOutput();
        DECODER.decode(
                request(resourceSpans("shop", failed ? error(span) : span)).toByteArray(), 0, out);
        assertThat(out.deadLetters).isEmpty();
        for (TraceFragment fragment : out.fragments) {
            harness.processElement(fragment, harness.getProcessingTime());
        }
    }
}

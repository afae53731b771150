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
import dev.tailsampling.sampling.policy.AlwaysSamplePolicy;
import dev.tailsampling.sampling.policy.ErrorPolicy;
import dev.tailsampling.sampling.policy.LearnedLatencyPolicy;
import dev.tailsampling.sampling.policy.UnusualPathPolicy;
import dev.tailsampling.sampling.rates.SamplingRate;
import dev.tailsampling.sampling.rates.ServiceStats;
import dev.tailsampling.sampling.summary.KeptTrace;
import dev.tailsampling.sampling.summary.TraceLocation;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TailSamplerFunctionTest {
    // Randomness 0 is below every threshold but 1.0; 0xff...ff is above every one but 0.
    private static final String PLAIN = "0000000000000000ff00000000000000";
    private static final String LUCKY = "0000000000000000ffffffffffffffff";
    private static final String FAILED = "00000000000000000100000000000000";
    /** Randomness 2^54, a quarter of the range: kept at rates of 0.75 and above. */
    private static final String MIDDLE = "00000000000000000040000000000000";

    private static final String ROOT = "00f067aa0ba902b7";

    private static final long WAIT = 10_000;
    private static final long MAX_AGE = 25_000;
    private static final int MAX_SPANS = 5;
    private static final long MAX_BYTES = 1L << 20;
    private static final long CACHE_TTL = 60_000;
    private static final OtlpDecoder DECODER = new OtlpDecoder(DecodeLimits.DEFAULTS.anyTime());

    private KeyedBroadcastOperatorTestHarness<String, TraceFragment, SamplingRate, Span> harness;

    @BeforeEach
    void startHarness() throws Exception {
        harness = newHarness();
        harness.open();
    }

    private static KeyedBroadcastOperatorTestHarness<String, TraceFragment, SamplingRate, Span> newHarness()
            throws Exception {
        return newHarness(PolicySet.builtIn(Duration.ofSeconds(1), 0.5));
    }

    private static KeyedBroadcastOperatorTestHarness<String, TraceFragment, SamplingRate, Span> newHarness(
            PolicySet policy) throws Exception {
        return newHarness(policy, MAX_BYTES);
    }

    private static KeyedBroadcastOperatorTestHarness<String, TraceFragment, SamplingRate, Span> newHarness(
            PolicySet policy, long maxBytes) throws Exception {
        return newHarness(policy, null, maxBytes);
    }

    private static KeyedBroadcastOperatorTestHarness<String, TraceFragment, SamplingRate, Span> newHarness(
            PolicySet policy, PolicySet shadow, long maxBytes) throws Exception {
        TailSamplerFunction sampler = new TailSamplerFunction(
                policy,
                shadow,
                new BufferLimits(Duration.ofMillis(WAIT), Duration.ofMillis(MAX_AGE), MAX_SPANS, maxBytes),
                Duration.ofMillis(CACHE_TTL),
                Set.of("service.name"));
        KeyedBroadcastOperatorTestHarness<String, TraceFragment, SamplingRate, Span> harness =
                new KeyedBroadcastOperatorTestHarness<>(
                        new CoBroadcastWithKeyedOperator<>(sampler, List.of(SamplingRatesState.DESCRIPTOR)),
                        e -> e.traceId,
                        Types.STRING,
                        128,
                        1,
                        0);
        harness.setStateBackend(new EmbeddedRocksDBStateBackend());
        return harness;
    }

    @AfterEach
    void closeHarness() throws Exception {
        harness.close();
    }

    private void send(String traceId, int index, boolean failed, long durationMillis) throws Exception {
        send(traceId, index, failed, durationMillis, 1);
    }

    /** One record of {@code spanCount} spans of the trace, the first at {@code index}. */
    private void send(String traceId, int index, boolean failed, long durationMillis, int spanCount) throws Exception {
        send(traceId, index, failed, durationMillis, spanCount, 1.0, 1.0);
    }

    /** The pre-sampler passed the fragment at {@code presampleRate}. */
    private void send(
            String traceId,
            int index,
            boolean failed,
            long durationMillis,
            int spanCount,
            double presampleRate,
            double headProbability)
            throws Exception {
        TraceFragment fragment = fragmentOf(traceId, spanCount, index, failed, durationMillis, headProbability);
        fragment.presampleRate = presampleRate;
        harness.processElement(fragment, harness.getProcessingTime());
    }

    private void publish(String service, double rate, long expiresAtMillis) throws Exception {
        harness.processBroadcastElement(
                new SamplingRate(service, rate, 1.0, "steady", SamplingRate.SOURCE_CONTROLLER, expiresAtMillis, 0),
                harness.getProcessingTime());
    }

    /** Decides a one-span root trace of service shop and returns the policy that kept it, or null. */
    private String decideOne(String traceId, long at) throws Exception {
        harness.setProcessingTime(at);
        int before = harness.extractOutputValues().size();
        send(traceId, 0, false, 5);
        harness.setProcessingTime(at + WAIT);
        List<Span> out = harness.extractOutputValues();
        return out.size() > before ? out.get(out.size() - 1).samplingPolicy : null;
    }

    /** Trace ids holding spans or a summary (RocksDB cannot count its entries, but lists keys). */
    private List<String> buffered() {
        KeyedStateBackend<String> state = harness.getOperator().getKeyedStateBackend();
        return Stream.concat(
                        state.getKeys(TailSamplerFunction.SPANS.getName(), VoidNamespace.INSTANCE),
                        state.getKeys(TailSamplerFunction.SUMMARY.getName(), VoidNamespace.INSTANCE))
                .collect(Collectors.toList());
    }

    private void assertNothingLeftBehind() {
        assertThat(buffered()).isEmpty();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void decidesWhenNoSpanArrivedForTheDecisionWait() throws Exception {
        harness.setProcessingTime(0);
        send(FAILED, 0, false, 5);
        harness.setProcessingTime(8_000);
        send(FAILED, 1, true, 5);

        harness.setProcessingTime(WAIT);
        assertThat(harness.extractOutputValues()).as("a span came 2 s ago").isEmpty();
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
        assertThat(buffered()).containsExactly(FAILED, FAILED);

        harness.setProcessingTime(8_000 + WAIT);
        List<Span> kept = harness.extractOutputValues();
        assertThat(kept).extracting(s -> s.spanId).containsExactlyInAnyOrder("0000000000000001", "0000000000000002");
        assertThat(kept).allSatisfy(s -> {
            assertThat(s.samplingPolicy).isEqualTo("errors");
            assertThat(s.sampleProbability).isEqualTo(1.0);
            assertThat(s.adjustedCount).isEqualTo(1.0);
            assertThat(s.samplingTrigger).isEqualTo("inactivity");
            assertThat(s.traceIncomplete).isFalse();
        });
        assertNothingLeftBehind();
    }

    @Test
    void decidesAtOnceWhenTheTraceReachesMaxSpans() throws Exception {
        harness.setProcessingTime(0);
        for (int i = 0; i < MAX_SPANS; i++) {
            send(LUCKY, i, false, 5);
        }

        assertThat(harness.extractOutputValues()).hasSize(MAX_SPANS).allSatisfy(s -> {
            assertThat(s.samplingPolicy).isEqualTo("representative");
            assertThat(s.sampleProbability).isEqualTo(0.5);
            assertThat(s.adjustedCount).isEqualTo(2.0);
            assertThat(s.samplingTrigger).isEqualTo("max_spans");
        });
        assertNothingLeftBehind();
    }

    /** One fragment of {@code count} spans of a trace lasting 5 ms each, as the decoder makes it. */
    private static TraceFragment fragmentOf(String traceId, int count, int firstIndex, boolean failed) {
        return fragmentOf(traceId, count, firstIndex, failed, 5, 1.0);
    }

    /**
     * One record through the decoder: {@code count} spans of service shop, the first (an error if
     * {@code failed}) at {@code firstIndex}, the root if that is 0, {@code headProbability} in each
     * span's tracestate.
     */
    private static TraceFragment fragmentOf(
            String traceId, int count, int firstIndex, boolean failed, long durationMillis, double headProbability) {
        String headThreshold = String.format("%014x", Math.round((1 - headProbability) * 0x1p56))
                .replaceAll("0+$", "");
        io.opentelemetry.proto.trace.v1.Span.Builder[] spans = new io.opentelemetry.proto.trace.v1.Span.Builder[count];
        for (int i = 0; i < count; i++) {
            int index = firstIndex + i;
            spans[i] = span(
                    traceId,
                    String.format("%016x", index + 1),
                    index == 0 ? "" : ROOT,
                    "op" + index,
                    index,
                    durationMillis);
            if (headProbability < 1) {
                spans[i].setTraceState("ot=th:" + headThreshold);
            }
        }
        if (failed) {
            error(spans[0]);
        }
        CollectingOutput out = new CollectingOutput();
        DECODER.decode(request(resourceSpans("shop", spans)).toByteArray(), 0, out);
        assertThat(out.deadLetters).isEmpty();
        assertThat(out.fragments).hasSize(1);
        assertThat(out.fragments.get(0).headProbability).isEqualTo(headProbability);
        return out.fragments.get(0);
    }

    @Test
    void splitsAFragmentThatPassesMaxSpansAndTheRestFollowsTheDecision() throws Exception {
        harness.setProcessingTime(0);
        harness.processElement(fragmentOf(PLAIN, 2, 0, false), 0);
        harness.processElement(fragmentOf(PLAIN, MAX_SPANS + 1, 2, true), 0);

        List<Span> out = harness.extractOutputValues();
        assertThat(out).hasSize(MAX_SPANS + 3);
        assertThat(out.subList(0, MAX_SPANS))
                .allSatisfy(s -> assertThat(s.samplingTrigger).isEqualTo("max_spans"));
        assertThat(out.subList(MAX_SPANS, MAX_SPANS + 3))
                .allSatisfy(s -> assertThat(s.samplingTrigger).isEqualTo("late"));
        assertThat(out).extracting(s -> s.samplingPolicy).containsOnly("errors");
        assertNothingLeftBehind();
    }

    @Test
    void decidesATraceAtOnceWhenItsBufferedBytesReachTheLimit() throws Exception {
        harness.close();
        harness = newHarness(new PolicySet(List.of(new ErrorPolicy("errors"))), 300);
        harness.open();
        harness.setProcessingTime(0);
        for (int i = 0; harness.extractOutputValues().isEmpty() && i < 100; i++) {
            harness.processElement(fragmentOf(FAILED, 1, i, true), 0);
        }

        List<Span> out = harness.extractOutputValues();
        assertThat(out).isNotEmpty().allSatisfy(s -> assertThat(s.samplingTrigger)
                .isEqualTo("max_bytes"));
        assertThat(out.size())
                .as("300 bytes of one-span fragments, before max spans")
                .isBetween(2, MAX_SPANS - 1);
        assertNothingLeftBehind();
    }

    @Test
    void writesASpanSentTwiceBeforeTheDecisionOnce() throws Exception {
        harness.setProcessingTime(0);
        harness.processElement(fragmentOf(FAILED, 2, 0, true), 0);
        harness.processElement(fragmentOf(FAILED, 2, 0, true), 0);
        harness.setProcessingTime(WAIT);

        assertThat(harness.extractOutputValues())
                .extracting(s -> s.spanId)
                .containsExactly("0000000000000001", "0000000000000002");
        assertNothingLeftBehind();
    }

    @Test
    void decidesATraceThatKeepsGrowingAtMaxTraceDuration() throws Exception {
        for (long t = 0; t < MAX_AGE; t += 8_000) {
            harness.setProcessingTime(t);
            send(PLAIN, (int) (t / 8_000), false, 2_000);
        }
        harness.setProcessingTime(MAX_AGE - 1);
        assertThat(harness.extractOutputValues()).isEmpty();

        harness.setProcessingTime(MAX_AGE);
        assertThat(harness.extractOutputValues()).isNotEmpty().allSatisfy(s -> {
            assertThat(s.samplingPolicy).isEqualTo("slow");
            assertThat(s.samplingTrigger).isEqualTo("max_duration");
        });
        assertNothingLeftBehind();
    }

    @Test
    void lateSpansOfAKeptTraceFollowItsDecision() throws Exception {
        harness.setProcessingTime(0);
        send(FAILED, 0, true, 5);
        harness.setProcessingTime(WAIT);
        assertThat(harness.extractOutputValues()).hasSize(1);

        send(FAILED, 1, false, 5);

        List<Span> late = harness.extractOutputValues().subList(1, 2);
        assertThat(late).singleElement().satisfies(s -> {
            assertThat(s.spanId).isEqualTo("0000000000000002");
            assertThat(s.samplingPolicy).isEqualTo("errors");
            assertThat(s.samplingTrigger).isEqualTo("late");
        });
        assertNothingLeftBehind();
    }

    @Test
    void aKeptTraceLeavesOneSummaryAndItsLocationsAndALateSpanAddsOnlyItsLocations() throws Exception {
        harness.setProcessingTime(0);
        send(FAILED, 0, false, 50);
        send(FAILED, 1, true, 20);
        send(PLAIN, 0, false, 5);
        harness.setProcessingTime(WAIT);

        List<KeptTrace> summaries = harness.getSideOutput(TailSamplerFunction.SUMMARIES).stream()
                .map(StreamRecord::getValue)
                .toList();
        assertThat(summaries).singleElement().satisfies(trace -> {
            assertThat(trace.traceId).isEqualTo(FAILED);
            assertThat(trace.rootServiceName).isEqualTo("shop");
            assertThat(trace.spanCount).isEqualTo(2);
            assertThat(trace.errorCount).isEqualTo(1);
            assertThat(trace.samplingPolicy).isEqualTo("errors");
            assertThat(trace.criticalPath).extracting(step -> step.spanId).containsExactly("0000000000000001");
        });
        assertThat(harness.getSideOutput(TailSamplerFunction.LOCATIONS))
                .singleElement()
                .satisfies(record -> {
                    assertThat(record.getValue().traceId).isEqualTo(FAILED);
                    assertThat(record.getValue().serviceName).isEqualTo("shop");
                    assertThat(record.getValue().spanCount).isEqualTo(2);
                });

        // The harness indexes service.name, a resource attribute: one value, hour and service.
        assertThat(harness.getSideOutput(TailSamplerFunction.ATTRIBUTES))
                .singleElement()
                .satisfies(record -> {
                    assertThat(record.getValue().traceId).isEqualTo(FAILED);
                    assertThat(record.getValue().key).isEqualTo("service.name");
                    assertThat(record.getValue().value).isEqualTo("shop");
                });

        send(FAILED, 2, false, 5);
        assertThat(harness.getSideOutput(TailSamplerFunction.SUMMARIES)).hasSize(1);
        List<TraceLocation> locations = harness.getSideOutput(TailSamplerFunction.LOCATIONS).stream()
                .map(StreamRecord::getValue)
                .toList();
        assertThat(locations).hasSize(2);
        assertThat(locations.get(1).spanCount).isEqualTo(1);
        assertThat(harness.getSideOutput(TailSamplerFunction.ATTRIBUTES)).hasSize(2);
    }

    @Test
    void lateSpansOfADroppedTraceAreDroppedWithoutANewBuffer() throws Exception {
        harness.setProcessingTime(0);
        send(PLAIN, 0, false, 5);
        harness.setProcessingTime(WAIT);

        send(PLAIN, 1, true, 5);

        assertThat(harness.extractOutputValues()).isEmpty();
        assertNothingLeftBehind();
    }

    @Test
    void afterTheDecisionCacheExpiresALateSpanStartsANewTrace() throws Exception {
        harness.setProcessingTime(0);
        harness.setStateTtlProcessingTime(0);
        send(PLAIN, 0, false, 5);
        harness.setProcessingTime(WAIT);
        harness.setStateTtlProcessingTime(WAIT + CACHE_TTL + 1);

        send(PLAIN, 1, true, 5);

        assertThat(buffered()).contains(PLAIN);
        harness.setProcessingTime(3 * WAIT);
        assertThat(harness.extractOutputValues()).singleElement().satisfies(s -> {
            assertThat(s.samplingPolicy).isEqualTo("errors");
            assertThat(s.traceIncomplete).as("no root in the new buffer").isTrue();
        });
    }

    @Test
    void learnedLatencySurvivesASavepoint() throws Exception {
        harness.close();
        harness = newHarness(new PolicySet(List.of(new LearnedLatencyPolicy("learned", 0.9, 50, 0.01))));
        harness.open();
        harness.setProcessingTime(0);
        for (int i = 0; i < 200; i++) {
            send(String.format("%032x", i + 1), 0, false, 1 + i);
        }
        harness.setProcessingTime(WAIT);
        assertThat(harness.extractOutputValues()).as("still learning at first").hasSizeLessThan(200);
        var snapshot = harness.snapshot(1L, WAIT);
        harness.close();

        harness = newHarness(new PolicySet(List.of(new LearnedLatencyPolicy("learned", 0.9, 50, 0.01))));
        harness.initializeState(snapshot);
        harness.open();
        harness.setProcessingTime(WAIT);
        send(String.format("%032x", 1000), 0, false, 400);
        send(String.format("%032x", 1001), 0, false, 100);
        harness.setProcessingTime(3 * WAIT);

        // p90 of 1..200 ms is 180 ms: the restored sketch keeps 400 ms at once and lets 100 ms go.
        assertThat(harness.extractOutputValues())
                .extracting(s -> s.traceId)
                .containsExactly(String.format("%032x", 1000));
    }

    @Test
    void unusualPathLearningSurvivesASavepointAndARescale() throws Exception {
        harness.close();
        harness = newHarness(unusualPaths());
        harness.open();
        harness.setProcessingTime(0);
        for (int i = 0; i < 100; i++) {
            // A tenth of the traces have a second span, op1; the others are the root alone.
            send(String.format("%032x", i + 1), 0, false, 5, i % 10 == 0 ? 2 : 1);
        }
        harness.setProcessingTime(WAIT);
        assertThat(harness.extractOutputValues())
                .as("two usual paths, nothing rare")
                .isEmpty();
        var snapshot = harness.snapshot(1L, WAIT);
        harness.close();

        for (int subtask = 0; subtask < 2; subtask++) {
            harness = new KeyedBroadcastOperatorTestHarness<>(
                    new CoBroadcastWithKeyedOperator<>(
                            new TailSamplerFunction(
                                    unusualPaths(),
                                    null,
                                    new BufferLimits(
                                            Duration.ofMillis(WAIT), Duration.ofMillis(MAX_AGE), MAX_SPANS, MAX_BYTES),
                                    Duration.ofMillis(CACHE_TTL),
                                    Set.of("service.name")),
                            List.of(SamplingRatesState.DESCRIPTOR)),
                    e -> e.traceId,
                    Types.STRING,
                    128,
                    2,
                    subtask);
            harness.setStateBackend(new EmbeddedRocksDBStateBackend());
            harness.initializeState(
                    AbstractStreamOperatorTestHarness.repartitionOperatorState(snapshot, 128, 1, 2, subtask));
            harness.open();
            harness.setProcessingTime(WAIT);
            String usual = traceIdOnSubtask(subtask, 1000);
            String wider = traceIdOnSubtask(subtask, 2000);
            send(usual, 0, false, 5, 2);
            send(wider, 0, false, 5, 3);
            harness.setProcessingTime(3 * WAIT);

            assertThat(harness.extractOutputValues())
                    .as("subtask %d of 2 judges with all that was learned: only the new path is rare", subtask)
                    .extracting(s -> s.traceId + "/" + s.samplingPolicy)
                    .containsOnly(wider + "/paths");
            harness.close();
        }
        harness = newHarness();
        harness.open();
    }

    private static PolicySet unusualPaths() {
        return new PolicySet(List.of(new UnusualPathPolicy("paths", 0.01, 50, Duration.ofHours(1), 200)));
    }

    /** A trace id from {@code from} on whose key group the subtask of two holds. */
    private static String traceIdOnSubtask(int subtask, int from) {
        for (int i = from; ; i++) {
            String id = String.format("%032x", i);
            if (KeyGroupRangeAssignment.assignKeyToParallelOperator(id, 128, 2) == subtask) {
                return id;
            }
        }
    }

    @Test
    void dropsAPlainTraceOutsideTheSampleAndForgetsIt() throws Exception {
        harness.setProcessingTime(0);
        send(PLAIN, 0, false, 5);
        send(PLAIN, 1, false, 5);

        harness.setProcessingTime(WAIT);

        assertThat(harness.extractOutputValues()).isEmpty();
        assertNothingLeftBehind();
    }

    @Test
    void decidesEachTraceOnItsOwn() throws Exception {
        harness.setProcessingTime(0);
        send(PLAIN, 0, false, 5);
        harness.setProcessingTime(5_000);
        send(LUCKY, 0, false, 5);

        harness.setProcessingTime(WAIT);
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

        harness.setProcessingTime(5_000 + WAIT);
        assertThat(harness.extractOutputValues()).extracting(s -> s.traceId).containsExactly(LUCKY);
        assertNothingLeftBehind();
    }

    @Test
    void aRestoredTraceWaitsOneDecisionWaitForItsReplayedSpans() throws Exception {
        harness.setProcessingTime(0);
        send(FAILED, 0, true, 5);
        var snapshot = harness.snapshot(1L, 0);
        harness.close();

        harness = newHarness();
        harness.initializeState(snapshot);
        harness.open();
        harness.setProcessingTime(3 * WAIT);
        assertThat(harness.extractOutputValues()).as("restarted just now").isEmpty();
        send(FAILED, 1, false, 5);

        harness.setProcessingTime(4 * WAIT);
        assertThat(harness.extractOutputValues())
                .extracting(s -> s.spanId)
                .containsExactlyInAnyOrder("0000000000000001", "0000000000000002");
        assertNothingLeftBehind();
    }

    @Test
    void aPublishedRateChangesTheRepresentativeSampleFromTheNextDecision() throws Exception {
        // Three spans of the same trace id would follow the cached decision: each round uses a new id.
        assertThat(decideOne(MIDDLE, 0)).as("configured rate 0.5").isNull();

        publish(SamplingRate.DEFAULT_KEY, 0.8, 0);
        assertThat(decideOne(MIDDLE.replace("0040", "0041"), 100_000)).isEqualTo("representative");
        Span kept = harness.extractOutputValues().get(0);
        assertThat(kept.sampleProbability).isEqualTo(0.8);
        assertThat(kept.adjustedCount).isEqualTo(1.25);

        publish("shop", 0.1, 0);
        assertThat(decideOne(MIDDLE.replace("0040", "0042"), 200_000))
                .as("the service's own rate wins")
                .isNull();

        publish("shop", 0.1, 250_000);
        assertThat(decideOne(MIDDLE.replace("0040", "0043"), 300_000))
                .as("an expired service rate gives way to the default")
                .isEqualTo("representative");
    }

    @Test
    void ratesSurviveASnapshot() throws Exception {
        publish(SamplingRate.DEFAULT_KEY, 0.9, 0);
        var snapshot = harness.snapshot(1L, 0);
        harness.close();

        harness = newHarness();
        harness.initializeState(snapshot);
        harness.open();
        harness.setProcessingTime(0);
        send(MIDDLE, 0, false, 5);
        harness.setProcessingTime(2 * WAIT);
        assertThat(harness.extractOutputValues()).singleElement().satisfies(s -> assertThat(s.sampleProbability)
                .isEqualTo(0.9));
    }

    @Test
    void aPresampledTraceCarriesTheSmallerProbability() throws Exception {
        harness.setProcessingTime(0);
        send(FAILED, 0, true, 5, 1, 0.25, 1.0);
        send(LUCKY, 0, false, 5, 1, 0.25, 1.0);
        harness.setProcessingTime(WAIT);

        assertThat(harness.extractOutputValues())
                .extracting(s -> s.traceId + " " + s.samplingPolicy + " " + s.adjustedCount)
                .containsExactlyInAnyOrder(FAILED + " errors 4.0", LUCKY + " representative 4.0");
    }

    @Test
    void aHeadSampledTraceCarriesTheHeadProbabilityTimesTheJobs() throws Exception {
        harness.setProcessingTime(0);
        // The job's rates are of the traces that reach it: head 12.5 % × pre-sampling 25 %; head 50 % × 50 %.
        send(FAILED, 0, true, 5, 1, 0.25, 0.125);
        send(LUCKY, 0, false, 5, 1, 1.0, 0.5);
        harness.setProcessingTime(WAIT);

        assertThat(harness.extractOutputValues())
                .extracting(s -> s.traceId + " " + s.samplingPolicy + " " + s.sampleProbability + " " + s.adjustedCount)
                .containsExactlyInAnyOrder(FAILED + " errors 0.03125 32.0", LUCKY + " representative 0.25 4.0");
    }

    @Test
    void everyDecidedTraceIsCountedPerServiceAboutOnceASecond() throws Exception {
        harness.setProcessingTime(0);
        send(FAILED, 0, true, 5, 3);
        send(LUCKY, 0, false, 5, 2);
        send(PLAIN, 0, false, 5, 4);
        harness.setProcessingTime(WAIT);
        // The first decision sends at once; the two decided in the same second wait for a timer.
        assertThat(harness.getSideOutput(TailSamplerFunction.STATS)).hasSize(1);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

        harness.setProcessingTime(WAIT + 1_000);

        List<ServiceStats> stats = harness.getSideOutput(TailSamplerFunction.STATS).stream()
                .map(StreamRecord::getValue)
                .toList();
        assertThat(stats).hasSize(2).allSatisfy(s -> assertThat(s.service).isEqualTo("shop"));
        ServiceStats sum = ServiceStats.empty("shop");
        stats.forEach(sum::add);
        assertThat(sum.tracesSeen).isEqualTo(3);
        assertThat(sum.spansSeen).isEqualTo(9);
        assertThat(sum.tracesKeptDeterministic).isEqualTo(1);
        assertThat(sum.spansKeptDeterministic).isEqualTo(3);
        assertThat(sum.tracesKeptRepresentative).isEqualTo(1);
        assertThat(sum.spansKept).isEqualTo(5);
        assertNothingLeftBehind();
    }

    @Test
    void theBudgetGuardThinsASurgeOfTheSampleFromTheNextSecondButNoErrorAndSaysSoInTheStats() throws Exception {
        SamplingRate defaults = new SamplingRate("*", 1.0, 1.0, "steady", SamplingRate.SOURCE_CONTROLLER, 0, 0);
        defaults.budgetPerSecond = 10;
        defaults.budgetUnit = SamplingRate.UNIT_SPANS;
        harness.processBroadcastElement(defaults, 0);
        harness.setProcessingTime(0);
        // Randomness spread evenly over the range: at half the rate, exactly the upper ten are kept.
        for (int i = 0; i < 20; i++) {
            send(String.format("%018x%014x", 0xa, i * ((1L << 56) / 20 + 1)), 0, false, 5);
        }
        harness.setProcessingTime(1_000);
        for (int i = 0; i < 20; i++) {
            send(String.format("%018x%014x", 0xb, i * ((1L << 56) / 20 + 1)), 0, false, 5);
        }
        send(FAILED, 0, true, 5);
        // The first second decides 20 spans of the sample against a budget of 10: the next keeps half.
        harness.setProcessingTime(WAIT);
        harness.setProcessingTime(WAIT + 1_000);
        harness.setProcessingTime(WAIT + 3_000);

        List<Span> kept = harness.extractOutputValues();
        assertThat(kept.stream().filter(s -> s.traceId.startsWith(String.format("%018x", 0xa))))
                .hasSize(20)
                .allSatisfy(s -> assertThat(s.sampleProbability).isEqualTo(1.0));
        assertThat(kept.stream().filter(s -> s.traceId.startsWith(String.format("%018x", 0xb))))
                .hasSize(10)
                .allSatisfy(s -> assertThat(s.sampleProbability).isEqualTo(0.5));
        assertThat(kept).anySatisfy(s -> assertThat(s.samplingPolicy).isEqualTo("errors"));
        ServiceStats sum = ServiceStats.empty("shop");
        harness.getSideOutput(TailSamplerFunction.STATS).forEach(r -> sum.add(r.getValue()));
        assertThat(sum.tracesSeen).isEqualTo(41);
        assertThat(sum.tracesKeptRepresentative).isEqualTo(30);
        assertThat(sum.tracesThrottled).isEqualTo(10);
        assertThat(sum.spansThrottled).isEqualTo(10);
        assertNothingLeftBehind();
    }

    @Test
    void theShadowFileIsJudgedOnTheSameTracesAndOnlyTheStatisticsHearOfIt() throws Exception {
        harness.close();
        harness = newHarness(
                PolicySet.builtIn(Duration.ofSeconds(1), 0.0),
                new PolicySet(List.of(new ErrorPolicy("shadow-errors"), new AlwaysSamplePolicy("shadow-all"))),
                MAX_BYTES);
        harness.open();
        harness.setProcessingTime(0);
        send(FAILED, 0, true, 5, 3);
        send(PLAIN, 0, false, 5, 2);
        harness.setProcessingTime(WAIT);
        harness.setProcessingTime(WAIT + 2_000);

        assertThat(harness.extractOutputValues())
                .as("the live file alone decides")
                .allSatisfy(s -> assertThat(s.traceId).isEqualTo(FAILED))
                .hasSize(3);
        ServiceStats sum = ServiceStats.empty("shop");
        harness.getSideOutput(TailSamplerFunction.STATS).forEach(r -> sum.add(r.getValue()));
        assertThat(sum.keptByPolicy).containsOnlyKeys("errors");
        assertThat(sum.keptByPolicy.get("errors").spans).isEqualTo(3);
        assertThat(sum.shadowKeptByPolicy).containsOnlyKeys("shadow-errors", "shadow-all");
        assertThat(sum.shadowKeptByPolicy.get("shadow-errors").traces).isEqualTo(1);
        assertThat(sum.shadowKeptByPolicy.get("shadow-all").spans).isEqualTo(2);
        assertNothingLeftBehind();
    }
}

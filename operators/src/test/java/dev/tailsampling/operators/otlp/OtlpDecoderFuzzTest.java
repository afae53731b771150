package dev.tailsampling.operators.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.operators.DeadLetter;
import dev.tailsampling.operators.TraceFragment;
import dev.tailsampling.sampling.Span;
import dev.tailsampling.sampling.summary.KeptTrace;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A seeded mutation fuzzer over valid OTLP requests ({@link OtlpMutator}). Every mutant must
 * decode without an exception, within a bounded allocation, into fragments that the sampler can
 * later decode in full, and dead letters with a known reason. {@code -Dfuzz.mutants} sets the
 * count (the {@code fuzz} profile runs millions).
 */
class OtlpDecoderFuzzTest {
    private static final long SEED = 20261201L;
    private static final int MUTANTS = Integer.getInteger("fuzz.mutants", 100_000);
    private static final long NOW = OtlpDecoderTest.NOW;

    /** Small limits, so that the mutants reach them. */
    private static final DecodeLimits LIMITS = new DecodeLimits(
            1 << 20,
            500,
            20_000,
            64,
            16,
            16,
            256,
            DecodeLimits.DEFAULTS.maxSpanAge(),
            DecodeLimits.DEFAULTS.maxClockSkew());

    /**
     * A gross bound on what one record may allocate: objects for at most {@code maxValuesPerRecord}
     * values, parsed up to four times when a string is not UTF-8 (request, resource, scope, span),
     * and a few copies of its bytes. That a bomb is refused before parsing is tested on its own.
     */
    private static long allocationBound(byte[] record) {
        return (16L << 20) + 32L * record.length;
    }

    private static final Set<String> REASONS = Set.of(
            OtlpDecoder.UNPARSEABLE_RECORD,
            OtlpDecoder.RECORD_TOO_LARGE,
            OtlpDecoder.TOO_MANY_SPANS,
            OtlpDecoder.TOO_MANY_VALUES,
            OtlpDecoder.INVALID_UTF8,
            OtlpDecoder.MISSING_TRACE_ID,
            OtlpDecoder.INVALID_TRACE_ID,
            OtlpDecoder.MISSING_SPAN_ID,
            OtlpDecoder.INVALID_SPAN_ID,
            OtlpDecoder.END_BEFORE_START,
            OtlpDecoder.TIMESTAMP_OUT_OF_RANGE,
            OtlpDecoder.TOO_MANY_ATTRIBUTES,
            OtlpDecoder.TOO_MANY_EVENTS,
            OtlpDecoder.TOO_MANY_LINKS);

    @Test
    void everyMutantDecodesIntoFragmentsOrDeadLettersWithoutThrowing() {
        Random random = new Random(SEED);
        List<byte[]> seeds = OtlpMutator.seeds();
        OtlpDecoder decoder = new OtlpDecoder(LIMITS);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        Set<String> reasonsSeen = new HashSet<>();
        // Class loading and first-use caches are not the record's doing.
        seeds.forEach(seed -> decoder.decode(seed, NOW, new CollectingOutput()));
        int withFragments = 0;
        for (int i = 0; i < MUTANTS; i++) {
            byte[] mutant = OtlpMutator.mutate(seeds.get(random.nextInt(seeds.size())), random);
            CollectingOutput output = new CollectingOutput();
            List<TraceFragment> fragments = output.fragments;
            List<DeadLetter> deadLetters = output.deadLetters;
            long before = threads.getThreadAllocatedBytes(thread);
            decoder.decode(mutant, NOW, output);
            long allocated = threads.getThreadAllocatedBytes(thread) - before;
            assertThat(allocated)
                    .as("bytes allocated decoding mutant %d of %d bytes", i, mutant.length)
                    .isLessThan(allocationBound(mutant));
            for (DeadLetter letter : deadLetters) {
                assertThat(letter.reason).as("mutant %d", i).isIn(REASONS);
                assertThat(letter.detail).as("mutant %d", i).isNotBlank();
                assertThat(letter.payload).as("mutant %d", i).isNotNull();
                reasonsSeen.add(letter.reason);
            }
            if (!fragments.isEmpty()) {
                withFragments++;
            }
            for (TraceFragment fragment : fragments) {
                // What the sampler will do with it at the decision: decode in full and summarize.
                List<Span> spans = new ArrayList<>();
                SpanDecoder.decode(fragment.payload, spans);
                assertThat(spans).as("mutant %d", i).hasSize(fragment.spanCount);
                spans.forEach(
                        s -> s.markKept("errors", 1.0, dev.tailsampling.sampling.DecisionTrigger.INACTIVITY, false));
                KeptTrace.of(spans);
                if (fragment.spanCount > 1) {
                    assertThat(OtlpDecoder.split(fragment, 1))
                            .extracting(f -> f.spanCount)
                            .containsExactly(1, fragment.spanCount - 1);
                }
            }
        }
        assertThat(withFragments).as("some mutants still hold valid spans").isGreaterThan(MUTANTS / 20);
        assertThat(reasonsSeen)
                .as("the mutations reach the limits and checks")
                .contains(
                        OtlpDecoder.UNPARSEABLE_RECORD,
                        OtlpDecoder.TOO_MANY_SPANS,
                        OtlpDecoder.TOO_MANY_VALUES,
                        OtlpDecoder.INVALID_UTF8,
                        OtlpDecoder.TIMESTAMP_OUT_OF_RANGE,
                        OtlpDecoder.INVALID_SPAN_ID);
    }
}

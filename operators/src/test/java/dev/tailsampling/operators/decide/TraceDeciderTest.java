package dev.tailsampling.operators.decide;

import static dev.tailsampling.operators.otlp.OtlpTestData.error;
import static dev.tailsampling.operators.otlp.OtlpTestData.request;
import static dev.tailsampling.operators.otlp.OtlpTestData.resourceSpans;
import static dev.tailsampling.operators.otlp.OtlpTestData.span;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tailsampling.operators.CachedDecision;
import dev.tailsampling.operators.TraceFragment;
import dev.tailsampling.operators.otlp.CollectingOutput;
import dev.tailsampling.operators.otlp.DecodeLimits;
import dev.tailsampling.operators.otlp.OtlpDecoder;
import dev.tailsampling.sampling.PolicyContext;
import dev.tailsampling.sampling.PolicySet;
import dev.tailsampling.sampling.Span;
import dev.tailsampling.sampling.TraceSummary;
import dev.tailsampling.sampling.policy.ErrorPolicy;
import dev.tailsampling.sampling.rates.BudgetGuard;
import dev.tailsampling.sampling.rates.ServiceStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The sampler's buffering and decisions without Flink: state, timers and clock are given here. */
class TraceDeciderTest {
    private static final String TRACE = "0000000000000000ff00000000000000";
    private static final String ROOT = "00f067aa0ba902b7";
    private static final long WAIT = 10_000;
    private static final long MAX_AGE = 25_000;
    private static final OtlpDecoder DECODER = new OtlpDecoder(DecodeLimits.DEFAULTS.anyTime());

    private final Buffer buffer = new Buffer();
    private final Timers timers = new Timers();
    private final Output out = new Output();

    private static TraceDecider decider(int maxSpans) {
        return decider(maxSpans, WAIT);
    }

    private static TraceDecider decider(int maxSpans, long waitAfterRootMillis) {
        return new TraceDecider(
                new PolicySet(List.of(new ErrorPolicy("errors"))),
                null,
                new BufferLimits(
                        Duration.ofMillis(WAIT),
                        Duration.ofMillis(waitAfterRootMillis),
                        Duration.ofMillis(MAX_AGE),
                        maxSpans,
                        1L << 20),
                new BudgetGuard(PolicyContext.standalone()));
    }

    /** {@code count} spans from {@code first} on, in one record; span 0 is the root. */
    private static TraceFragment spans(int first, int count, boolean failed) {
        io.opentelemetry.proto.trace.v1.Span.Builder[] spans = new io.opentelemetry.proto.trace.v1.Span.Builder[count];
        for (int i = 0; i < count; i++) {
            int index = first + i;
            spans[i] = span(TRACE, String.format("%016x", index + 1), index == 0 ? "" : ROOT, "op", index, 5);
        }
        if (failed) {
            error(spans[0]);
        }
        CollectingOutput decoded = new CollectingOutput();
        DECODER.decode(request(resourceSpans("shop", spans)).toByteArray(), 0, decoded);
        return decoded.fragments.get(0);
    }

    /** Fires every timer due by {@code nowMillis}, in order, as a timer service would. */
    private void advanceTo(TraceDecider decider, long nowMillis) throws Exception {
        while (!timers.pending.isEmpty() && timers.pending.first() <= nowMillis) {
            long at = timers.pending.pollFirst();
            assertThat(decider.onTimer(TRACE, at, at, buffer, timers, out))
                    .as("the trace's own timer")
                    .isTrue();
        }
    }

    @Test
    void decidesOnceTheTraceHasBeenQuietForTheWaitAndLeavesOnlyTheDecision() throws Exception {
        TraceDecider decider = decider(100);
        decider.onFragment(spans(0, 1, false), 0, buffer, timers, out);
        decider.onFragment(spans(1, 1, true), 8_000, buffer, timers, out);
        assertThat(timers.pending).as("one timer a trace").containsExactly(WAIT);

        advanceTo(decider, WAIT);
        assertThat(out.kept).isEmpty();
        assertThat(timers.pending).as("re-armed for the later span").containsExactly(8_000 + WAIT);

        advanceTo(decider, 8_000 + WAIT);
        assertThat(out.kept)
                .extracting(s -> s.spanId + " " + s.samplingTrigger)
                .containsExactly("0000000000000001 inactivity", "0000000000000002 inactivity");
        assertThat(buffer.summary).isNull();
        assertThat(buffer.spans).isEmpty();
        assertThat(buffer.decision.sampled).isTrue();
        assertThat(timers.pending).isEmpty();
        assertThat(out.started).isEqualTo(1);
        assertThat(out.waited).as("decided the wait after the last span").containsExactly(WAIT);
        assertThat(out.decided).singleElement().satisfies(s -> {
            assertThat(s.service).isEqualTo("shop");
            assertThat(s.spansKept).isEqualTo(2);
        });
    }

    @Test
    void onceTheRootIsInTheShorterWaitAfterTheRootDecides() throws Exception {
        TraceDecider decider = decider(100, 2_000);
        // Running since 0, so that the grace period after a start (one whole decision wait) is over.
        assertThat(decider.onTimer(TRACE, 0, 0, buffer, timers, out)).isFalse();
        decider.onFragment(spans(1, 1, false), 20_000, buffer, timers, out);
        assertThat(timers.pending).as("no root yet: the decision wait").containsExactly(20_000 + WAIT);

        decider.onFragment(spans(0, 1, true), 21_000, buffer, timers, out);
        assertThat(timers.pending).as("the root moves the timer earlier").containsExactly(23_000L);
        decider.onFragment(spans(2, 1, false), 22_500, buffer, timers, out);
        assertThat(timers.pending).as("later spans do not move it").containsExactly(23_000L);

        advanceTo(decider, 23_000);
        assertThat(out.kept).isEmpty();
        assertThat(timers.pending).as("re-armed after the last span").containsExactly(24_500L);
        advanceTo(decider, 24_500);
        assertThat(out.kept).hasSize(3).allSatisfy(s -> assertThat(s.samplingTrigger)
                .isEqualTo("inactivity"));
        assertThat(out.waited)
                .as("decided the shorter wait after the last span")
                .containsExactly(2_000L);
    }

    @Test
    void afterAStartTheShorterWaitStillWaitsOneWholeDecisionWait() throws Exception {
        TraceDecider decider = decider(100, 2_000);
        decider.onFragment(spans(0, 1, true), 0, buffer, timers, out);
        assertThat(timers.pending)
                .as("spans read again after a restore must find their trace")
                .containsExactly(WAIT);
    }

    @Test
    void withoutItsRootATraceWaitsTheWholeDecisionWait() throws Exception {
        TraceDecider decider = decider(100, 2_000);
        decider.onFragment(spans(1, 1, true), 0, buffer, timers, out);
        decider.onFragment(spans(2, 1, false), 1_000, buffer, timers, out);

        advanceTo(decider, WAIT);
        assertThat(out.kept).isEmpty();
        advanceTo(decider, 1_000 + WAIT);
        assertThat(out.kept).hasSize(2);
        assertThat(buffer.decision.incomplete).isTrue();
    }

    @Test
    void aTraceThatNeverGoesQuietIsDecidedAtTheMaxDuration() throws Exception {
        TraceDecider decider = decider(100);
        for (long t = 0; t <= MAX_AGE; t += 5_000) {
            decider.onFragment(spans((int) (t / 5_000), 1, t == 0), t, buffer, timers, out);
            advanceTo(decider, t);
        }
        assertThat(out.kept).hasSize(6).allSatisfy(s -> assertThat(s.samplingTrigger)
                .isEqualTo("max_duration"));
    }

    @Test
    void aFragmentPassingMaxSpansIsSplitAndItsRestFollowsTheDecision() throws Exception {
        TraceDecider decider = decider(3);
        decider.onFragment(spans(0, 5, true), 0, buffer, timers, out);

        assertThat(out.kept)
                .extracting(s -> s.samplingTrigger)
                .containsExactly("max_spans", "max_spans", "max_spans", "late", "late");
        assertThat(timers.pending).as("the timer went with the decision").isEmpty();
        assertThat(out.decided).singleElement().satisfies(s -> assertThat(s.spansSeen)
                .isEqualTo(3));
    }

    @Test
    void spansAfterTheDecisionFollowIt() throws Exception {
        TraceDecider decider = decider(100);
        buffer.decision = new CachedDecision(false, null, 1.0, false);
        decider.onFragment(spans(3, 2, false), 0, buffer, timers, out);
        assertThat(out.droppedLate).isEqualTo(2);
        assertThat(out.kept).isEmpty();

        buffer.decision = new CachedDecision(true, "errors", 0.5, true);
        decider.onFragment(spans(5, 1, false), 0, buffer, timers, out);
        assertThat(out.keptLate).singleElement().satisfies(s -> {
            assertThat(s.samplingPolicy).isEqualTo("errors");
            assertThat(s.adjustedCount).isEqualTo(2.0);
            assertThat(s.samplingTrigger).isEqualTo("late");
            assertThat(s.traceIncomplete).isTrue();
        });
        assertThat(timers.pending).isEmpty();
        assertThat(out.started).isZero();
    }

    @Test
    void aSpanBufferedTwiceLeavesOnce() throws Exception {
        TraceDecider decider = decider(100);
        decider.onFragment(spans(0, 2, true), 0, buffer, timers, out);
        decider.onFragment(spans(1, 1, false), 1, buffer, timers, out);
        advanceTo(decider, 1 + WAIT);

        assertThat(out.kept).extracting(s -> s.spanId).containsExactly("0000000000000001", "0000000000000002");
        assertThat(out.duplicates).isEqualTo(1);
    }

    @Test
    void afterARestartNoTraceIsDecidedBeforeOneFullWait() throws Exception {
        decider(100).onFragment(spans(0, 1, true), 0, buffer, timers, out);
        TraceDecider restarted = decider(100);
        long restoredAt = 60_000;

        // The restored timer fires late, at the restart; the spans after the checkpoint are on their way.
        assertThat(restarted.onTimer(TRACE, timers.pending.pollFirst(), restoredAt, buffer, timers, out))
                .isTrue();
        assertThat(out.kept).isEmpty();
        assertThat(timers.pending).containsExactly(restoredAt + WAIT);
        restarted.onFragment(spans(1, 1, false), restoredAt + 1_000, buffer, timers, out);

        advanceTo(restarted, restoredAt + WAIT);
        assertThat(out.kept).extracting(s -> s.spanId).containsExactly("0000000000000001", "0000000000000002");
    }

    @Test
    void aTimerThatIsNotTheTracesOwnIsLeftToTheCaller() throws Exception {
        TraceDecider decider = decider(100);
        assertThat(decider.onTimer(TRACE, 5, 5, buffer, timers, out))
                .as("no trace buffered")
                .isFalse();
        decider.onFragment(spans(0, 1, false), 0, buffer, timers, out);
        assertThat(decider.onTimer(TRACE, 5, 5, buffer, timers, out)).isFalse();
        assertThat(out.decided).isEmpty();
    }

    @Test
    void limitsThatCannotWorkAreRefused() {
        assertThatThrownBy(() -> new BufferLimits(Duration.ZERO, Duration.ofMinutes(1), 1, 1))
                .hasMessageContaining("decision wait must be positive");
        assertThatThrownBy(() -> new BufferLimits(Duration.ofMinutes(1), Duration.ofSeconds(30), 1, 1))
                .hasMessageContaining("must be at least the decision wait");
        assertThatThrownBy(() -> new BufferLimits(Duration.ofSeconds(1), Duration.ofMinutes(1), 0, 1))
                .hasMessageContaining("max spans per trace");
        assertThatThrownBy(() ->
                        new BufferLimits(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofMinutes(1), 1, 1))
                .hasMessageContaining("decision wait after the root (2000 ms) must be positive and at most");
    }

    /** One trace's state, in memory. */
    private static final class Buffer implements TraceBuffer {
        TraceSummary summary;
        final List<byte[]> spans = new ArrayList<>();
        CachedDecision decision;

        @Override
        public TraceSummary summary() {
            return summary;
        }

        @Override
        public void updateSummary(TraceSummary summary) {
            this.summary = summary;
        }

        @Override
        public void append(byte[] payload) {
            spans.add(payload);
        }

        @Override
        public Iterable<byte[]> spans() {
            return spans;
        }

        @Override
        public CachedDecision decision() {
            return decision;
        }

        @Override
        public void decided(CachedDecision decision) {
            summary = null;
            spans.clear();
            this.decision = decision;
        }
    }

    private static final class Timers implements TraceDecider.Timers {
        final TreeSet<Long> pending = new TreeSet<>();

        @Override
        public void register(long atMillis) {
            pending.add(atMillis);
        }

        @Override
        public void delete(long atMillis) {
            pending.remove(atMillis);
        }
    }

    private static final class Output implements TraceDecider.Output {
        final List<Long> waited = new ArrayList<>();
        final List<Span> kept = new ArrayList<>();
        final List<Span> keptLate = new ArrayList<>();
        final List<ServiceStats> decided = new ArrayList<>();
        int droppedLate;
        int started;
        int duplicates;

        @Override
        public void kept(String traceId, List<Span> spans) {
            kept.addAll(spans);
        }

        @Override
        public void keptLate(List<Span> spans) {
            kept.addAll(spans);
            keptLate.addAll(spans);
        }

        @Override
        public void droppedLate(int spans) {
            droppedLate += spans;
        }

        @Override
        public void decided(ServiceStats stats, long waitedMillis) {
            decided.add(stats);
            waited.add(waitedMillis);
        }

        @Override
        public void started() {
            started++;
        }

        @Override
        public void duplicates(int spans) {
            duplicates += spans;
        }
    }
}

package dev.tailsampling.operators.decide;

import dev.tailsampling.operators.CachedDecision;
import dev.tailsampling.operators.TraceFragment;
import dev.tailsampling.operators.otlp.OtlpDecoder;
import dev.tailsampling.operators.otlp.SpanDecoder;
import dev.tailsampling.sampling.Decision;
import dev.tailsampling.sampling.DecisionTrigger;
import dev.tailsampling.sampling.PolicySet;
import dev.tailsampling.sampling.Span;
import dev.tailsampling.sampling.TraceSummary;
import dev.tailsampling.sampling.TraceView;
import dev.tailsampling.sampling.rates.BudgetGuard;
import dev.tailsampling.sampling.rates.ServiceStats;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Buffers the spans of each trace and decides the trace when it goes quiet (the decision wait
 * without a new span, or the shorter wait after the root once the root span is in), grows too old (the max trace duration since its first span) or too large
 * (max spans, checked span by span: a fragment that would pass the limit is split there and its
 * rest follows the decision; or max bytes). Kept traces leave span by span with their decision;
 * every decided trace leaves no spans and no timer behind, only its decision, so that spans arriving
 * later follow it instead of starting a new trace.
 *
 * <p>A trace has one timer at a time: a span that arrives later does not move it, the timer re-arms
 * itself when it fires early; only the root, arriving after the first span with a shorter wait
 * after the root, moves it earlier. After a (re)start the spans that followed the last checkpoint are read
 * again, so that they rejoin their trace no trace is decided by its timer before one full decision
 * wait has passed since this instance first saw a fragment or a timer.
 *
 * <p>The decision is the policy set's, thinned by the {@link BudgetGuard} when a surge passes the
 * budget the controller published. A shadow policy set, when there is one, judges the same view
 * (the spans are read once for both) and only the statistics hear of it.
 *
 * <p>A span sent twice before its trace is decided (a retrying exporter) leaves once: the decision
 * reads the buffered spans and skips a span id it has already seen.
 *
 * <p>Plain Java: the caller gives the trace's state, its timers and the clock, one trace at a time.
 */
public final class TraceDecider {

    /** The current trace's processing-time timers. */
    public interface Timers {
        void register(long atMillis);

        void delete(long atMillis);
    }

    /** What the decider tells: the kept spans, the counts for the controller, and what to count. */
    public interface Output {
        /** A trace was kept: its spans, each once and marked with the decision. */
        void kept(String traceId, List<Span> spans);

        /** Spans that arrived after their trace was kept, marked with its decision. */
        void keptLate(List<Span> spans);

        /** Spans that arrived after their trace was dropped. */
        void droppedLate(int spans);

        /**
         * A trace was decided, kept or not: one trace's counts for the budget controller, and how
         * long after its last span's arrival it was decided.
         */
        void decided(ServiceStats stats, long waitedMillis);

        /** A trace id was seen for the first time (or for the first time since its decision expired). */
        void started();

        /** Spans buffered twice under one span id, written once. */
        void duplicates(int spans);
    }

    private final PolicySet policy;
    /** A second policy set evaluated beside {@link #policy} and never acted on; null for none. */
    private final PolicySet shadow;

    private final BudgetGuard guard;
    private final long decisionWaitMillis;
    private final long waitAfterRootMillis;
    private final long maxTraceDurationMillis;
    private final int maxSpansPerTrace;
    private final long maxTraceBytes;
    private final Set<String> representative;
    /** Time of this instance's first fragment or timer; -1 until then. */
    private long startedMillis = -1;

    /**
     * Decides by {@code policy}, its representative keeps thinned by {@code guard} when a surge
     * passes the budget, and says in the statistics what {@code shadow} (null for none) would keep.
     */
    public TraceDecider(PolicySet policy, PolicySet shadow, BufferLimits limits, BudgetGuard guard) {
        this.policy = policy;
        this.shadow = shadow;
        this.guard = guard;
        this.decisionWaitMillis = limits.decisionWait().toMillis();
        this.waitAfterRootMillis = limits.decisionWaitAfterRoot().toMillis();
        this.maxTraceDurationMillis = limits.maxTraceDuration().toMillis();
        this.maxSpansPerTrace = limits.maxSpansPerTrace();
        this.maxTraceBytes = limits.maxTraceBytes();
        this.representative = policy.representativeNames();
    }

    /** Buffers a fragment arriving at {@code nowMillis}, or has it follow its trace's decision. */
    public void onFragment(TraceFragment fragment, long nowMillis, TraceBuffer buffer, Timers timers, Output out)
            throws Exception {
        if (startedMillis < 0) {
            startedMillis = nowMillis;
        }
        TraceSummary trace = buffer.summary();
        if (trace == null) {
            CachedDecision decided = buffer.decision();
            if (decided != null) {
                follow(decided, fragment, out);
                return;
            }
            trace = TraceSummary.firstSeenAt(nowMillis);
            out.started();
        }
        TraceFragment rest = null;
        if (trace.spanCount + fragment.spanCount > maxSpansPerTrace) {
            List<TraceFragment> parts = OtlpDecoder.split(fragment, maxSpansPerTrace - trace.spanCount);
            fragment = parts.get(0);
            rest = parts.get(1);
        }
        trace.add(fragment, fragment.payload.length, nowMillis);
        buffer.append(fragment.payload);
        DecisionTrigger limit = trace.spanCount >= maxSpansPerTrace
                ? DecisionTrigger.MAX_SPANS
                : trace.byteCount >= maxTraceBytes ? DecisionTrigger.MAX_BYTES : null;
        if (limit == null) {
            long quietBy = Math.max(nowMillis + quietWait(trace), startedMillis + decisionWaitMillis);
            if (trace.timerMillis == 0 || quietBy < trace.timerMillis) {
                // A new trace's timer; or the root arrived and shortened the wait: the timer moves earlier.
                if (trace.timerMillis != 0) {
                    timers.delete(trace.timerMillis);
                }
                trace.timerMillis = quietBy;
                timers.register(quietBy);
            }
            buffer.updateSummary(trace);
            return;
        }
        if (trace.timerMillis != 0) {
            timers.delete(trace.timerMillis);
        }
        CachedDecision decided = decide(fragment.traceId, trace, limit, nowMillis, buffer, out);
        if (rest != null) {
            follow(decided, rest, out);
        }
    }

    /**
     * A timer of trace {@code traceId} fired at {@code timestampMillis} (late after a restore: it is
     * then {@code nowMillis} that counts as the start). Decides the trace if it is due, else re-arms.
     *
     * @return whether the timer was the trace's own; any other is the caller's
     */
    public boolean onTimer(
            String traceId, long timestampMillis, long nowMillis, TraceBuffer buffer, Timers timers, Output out)
            throws Exception {
        if (startedMillis < 0) {
            startedMillis = nowMillis;
        }
        TraceSummary trace = buffer.summary();
        if (trace == null || timestampMillis != trace.timerMillis) {
            return false;
        }
        long quietBy = trace.lastSeenMillis + quietWait(trace);
        long due = Math.max(
                Math.min(quietBy, trace.firstSeenMillis + maxTraceDurationMillis), startedMillis + decisionWaitMillis);
        if (timestampMillis < due) {
            trace.timerMillis = due;
            timers.register(due);
            buffer.updateSummary(trace);
        } else {
            DecisionTrigger trigger =
                    quietBy > timestampMillis ? DecisionTrigger.MAX_DURATION : DecisionTrigger.INACTIVITY;
            decide(traceId, trace, trigger, nowMillis, buffer, out);
        }
        return true;
    }

    /** How long the trace must go without a new span to be decided. */
    private long quietWait(TraceSummary trace) {
        return trace.rootSeen ? waitAfterRootMillis : decisionWaitMillis;
    }

    private CachedDecision decide(
            String traceId, TraceSummary trace, DecisionTrigger trigger, long nowMillis, TraceBuffer buffer, Output out)
            throws Exception {
        // Spans are read and decoded only if a policy needs them or the trace is kept.
        TraceView view = TraceView.of(traceId, trace, () -> bufferedSpans(traceId, trace.spanCount, buffer, out));
        BudgetGuard.Decided guarded = guard.decide(policy, representative, view, nowMillis);
        Decision decision = guarded.decision();
        ServiceStats stats = guarded.stats();
        if (shadow != null) {
            Decision would = shadow.evaluate(view);
            if (would.keeps()) {
                stats.shadowKept(would.policy(), trace);
            }
        }
        out.decided(stats, nowMillis - trace.lastSeenMillis);
        boolean incomplete = !trace.rootSeen;
        // The head's, pre-sampling's and the policy's probabilities compose into the trace's weight.
        double probability = trace.keptProbability(decision.probability());
        if (decision.keeps()) {
            List<Span> kept = view.spans();
            for (Span span : kept) {
                span.markKept(decision.policy(), probability, trigger, incomplete);
            }
            out.kept(traceId, kept);
        }
        CachedDecision decided = new CachedDecision(decision.keeps(), decision.policy(), probability, incomplete);
        buffer.decided(decided);
        return decided;
    }

    /** Spans of a decided trace go where the trace went. */
    private static void follow(CachedDecision decided, TraceFragment fragment, Output out) {
        if (!decided.sampled) {
            out.droppedLate(fragment.spanCount);
            return;
        }
        List<Span> late = new ArrayList<>(fragment.spanCount);
        SpanDecoder.decode(fragment.payload, late);
        for (Span span : late) {
            span.markKept(decided.policy, decided.probability, DecisionTrigger.LATE, decided.incomplete);
        }
        out.keptLate(late);
    }

    /** The spans buffered for the trace, decoded in full, each span id once. */
    private static List<Span> bufferedSpans(String traceId, int expected, TraceBuffer buffer, Output out) {
        List<Span> decoded = new ArrayList<>(expected);
        try {
            for (byte[] payload : buffer.spans()) {
                SpanDecoder.decode(payload, decoded);
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the spans of trace " + traceId, e);
        }
        Set<String> seen = new HashSet<>(decoded.size() * 2);
        List<Span> unique = new ArrayList<>(decoded.size());
        for (Span span : decoded) {
            if (seen.add(span.spanId)) {
                unique.add(span);
            }
        }
        if (unique.size() < decoded.size()) {
            out.duplicates(decoded.size() - unique.size());
        }
        return unique;
    }
}

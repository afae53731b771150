package dev.tailsampling.operators;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import dev.tailsampling.operators.otlp.OtlpDecoder;
import dev.tailsampling.operators.otlp.SpanDecoder;
import dev.tailsampling.sampling.Decision;
import dev.tailsampling.sampling.DecisionTrigger;
import dev.tailsampling.sampling.PolicyContext;
import dev.tailsampling.sampling.RepresentativePolicy;
import dev.tailsampling.sampling.SamplingPolicy;
import dev.tailsampling.sampling.Span;
import dev.tailsampling.sampling.TraceSummary;
import dev.tailsampling.sampling.TraceView;
import dev.tailsampling.sampling.rates.SamplingRate;
import dev.tailsampling.sampling.rates.SamplingRates;
import dev.tailsampling.sampling.rates.ServiceStats;
import dev.tailsampling.sampling.summary.KeptTrace;
import dev.tailsampling.sampling.summary.TraceLocation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buffers the spans of each trace in keyed state and decides the trace when it goes quiet
 * ({@code decisionWait} without a new span), grows too old ({@code maxTraceDuration} since its
 * first span) or too large ({@code maxSpansPerTrace} spans, checked span by span: a fragment that
 * would pass the limit is split there, and its rest follows the decision; or {@code maxTraceBytes}
 * of buffered OTLP bytes). Kept traces are emitted span by span with
 * their decision; every decided trace leaves no buffer and no timer behind, only its decision,
 * kept for {@code decisionCacheTtl} so that spans arriving later follow it instead of starting a
 * new trace.
 *
 * <p>Time is processing time: the wait is for spans still on their way, so it is measured on the
 * clock they arrive by, and an idle partition cannot hold decisions back. Spans arrive as trace
 * fragments (a trace's spans from one Kafka record) and are appended to a list state as OTLP bytes
 * (RocksDB merges appends without reading the list); the summary beside them is small. A trace has one timer at a time: a span that arrives later does not move
 * it, the timer re-arms itself when it fires early.
 *
 * <p>The budget controller's rates arrive as a broadcast stream into broadcast state; the
 * representative sample uses them from the next decision on. Every decided trace, kept or not, is
 * counted per root service for the controller; the counts leave on the {@link #STATS} side output
 * about once a second (in memory until then: a failure loses at most that second's counts).
 *
 * <p>A span sent twice before its trace is decided (a retrying exporter) is emitted once: the
 * decision reads the buffered spans and skips a span id it has already seen. A failure while
 * summarizing a kept trace never fails its decision: the spans are still written, and the
 * failure is counted ({@code summariesFailed}).
 *
 * <p>After a restore, the spans that followed the checkpoint are read again from Kafka. So that
 * they rejoin their trace, no trace is decided by its timers before one full decision wait has
 * passed since this subtask (re)started.
 */
public class TailSamplerFunction extends KeyedBroadcastProcessFunction<String, TraceFragment, SamplingRate, Span>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(TailSamplerFunction.class);

    // State names are savepoint keys: never rename them.
    static final ListStateDescriptor<byte[]> SPANS =
            new ListStateDescriptor<>("trace-spans", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
    static final ValueStateDescriptor<TraceSummary> SUMMARY =
            new ValueStateDescriptor<>("trace-summary", SamplingTypes.TRACE_SUMMARY);
    static final String DECISION_STATE = "trace-decision";
    /** What policies learned (latency sketches): a union list, so a restore merges every subtask's. */
    static final ListStateDescriptor<PolicyStateEntry> POLICY_STATE =
            new ListStateDescriptor<>("policy-state", SamplingTypes.POLICY_STATE_ENTRY);
    /** One record per decided trace: what the budget controller allocates from. */
    public static final OutputTag<ServiceStats> STATS =
            new OutputTag<>("trace-stats", SamplingTypes.SERVICE_STATS);
    /** One summary per kept trace, made when it is decided (late spans do not change it). */
    public static final OutputTag<KeptTrace> SUMMARIES =
            new OutputTag<>("kept-traces", SamplingTypes.KEPT_TRACE);
    /** Where the kept spans went: one per trace, hour and service, late spans included. */
    public static final OutputTag<TraceLocation> LOCATIONS =
            new OutputTag<>("trace-locations", SamplingTypes.TRACE_LOCATION);

    private final SamplingPolicy policy;
    private final long decisionWaitMillis;
    private final long maxTraceDurationMillis;
    private final int maxSpansPerTrace;
    private final long maxTraceBytes;
    private final Duration decisionCacheTtl;

    private transient ListState<byte[]> spans;
    private transient ValueState<TraceSummary> summary;
    private transient ValueState<CachedDecision> decisions;
    private transient ListState<PolicyStateEntry> learned;
    private transient Counter tracesStarted;
    private transient Counter tracesDecided;
    private transient Counter tracesKept;
    private transient Counter spansKept;
    private transient Counter lateSpansKept;
    private transient Counter lateSpansDropped;
    private transient Counter duplicateSpans;
    private transient Counter summariesFailed;
    private transient Set<String> representative;
    /** The controller's rates; null until read from broadcast state. */
    private transient SamplingRates rates;
    /** Per root service, the decided traces not yet on the side output. */
    private transient Map<String, ServiceStats> unsentStats;
    private transient long nextStatsMillis;
    /** Whether a timer is set to send {@link #unsentStats} should no decision come to do it. */
    private transient boolean statsTimerSet;
    /** Processing time of this subtask's first element or timer; -1 until then. */
    private transient long startedMillis;

    public TailSamplerFunction(
            SamplingPolicy policy,
            Duration decisionWait,
            Duration maxTraceDuration,
            int maxSpansPerTrace,
            long maxTraceBytes,
            Duration decisionCacheTtl) {
        if (decisionWait.isNegative() || decisionWait.isZero()) {
            throw new IllegalArgumentException("decision wait must be positive: " + decisionWait);
        }
        if (maxTraceDuration.compareTo(decisionWait) < 0) {
            throw new IllegalArgumentException(
                    "max trace duration (" + maxTraceDuration + ") must be at least the decision wait ("
                            + decisionWait + ")");
        }
        if (maxSpansPerTrace < 1) {
            throw new IllegalArgumentException(
                    "max spans per trace must be at least 1: " + maxSpansPerTrace);
        }
        if (maxTraceBytes < 1) {
            throw new IllegalArgumentException("max trace bytes must be at least 1: " + maxTraceBytes);
        }
        this.policy = policy;
        this.maxTraceBytes = maxTraceBytes;
        this.decisionWaitMillis = decisionWait.toMillis();
        this.maxTraceDurationMillis = maxTraceDuration.toMillis();
        this.maxSpansPerTrace = maxSpansPerTrace;
        this.decisionCacheTtl = decisionCacheTtl;
    }

    @Override
    public void open(OpenContext openContext) {
        spans = getRuntimeContext().getListState(SPANS);
        summary = getRuntimeContext().getState(SUMMARY);
        ValueStateDescriptor<CachedDecision> decided =
                new ValueStateDescriptor<>(DECISION_STATE, SamplingTypes.CACHED_DECISION);
        decided.enableTimeToLive(StateTtlConfig.newBuilder(decisionCacheTtl).build());
        decisions = getRuntimeContext().getState(decided);
        tracesStarted = getRuntimeContext().getMetricGroup().counter("tracesStarted");
        tracesDecided = getRuntimeContext().getMetricGroup().counter("tracesDecided");
        tracesKept = getRuntimeContext().getMetricGroup().counter("tracesKept");
        spansKept = getRuntimeContext().getMetricGroup().counter("spansKept");
        lateSpansKept = getRuntimeContext().getMetricGroup().counter("lateSpansKept");
        lateSpansDropped = getRuntimeContext().getMetricGroup().counter("lateSpansDropped");
        duplicateSpans = getRuntimeContext().getMetricGroup().counter("duplicateSpans");
        summariesFailed = getRuntimeContext().getMetricGroup().counter("summariesFailed");
        getRuntimeContext().getMetricGroup().<Long, Gauge<Long>>gauge(
                "ratesAgeSeconds",
                () -> rates == null ? -1L : rates.controllerAgeMillis(System.currentTimeMillis()) / 1000);
        startedMillis = -1;
        representative = RepresentativePolicy.namesIn(policy);
        unsentStats = new HashMap<>();
        nextStatsMillis = 0;
        // Rate limits divide their job-wide budget over the subtasks; windows run on the wall clock.
        policy.open(
                new PolicyContext(
                        getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks(),
                        System::currentTimeMillis,
                        () -> rates));
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        learned = context.getOperatorStateStore().getUnionListState(POLICY_STATE);
        if (context.isRestored()) {
            for (PolicyStateEntry entry : learned.get()) {
                policy.restoreState(entry.key, entry.value);
            }
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        Map<String, byte[]> state = new HashMap<>();
        policy.snapshotState(state);
        List<PolicyStateEntry> entries = new ArrayList<>(state.size());
        state.forEach((key, value) -> entries.add(new PolicyStateEntry(key, value)));
        learned.update(entries);
    }

    @Override
    public void processBroadcastElement(SamplingRate record, Context ctx, Collector<Span> out)
            throws Exception {
        rates = SamplingRatesState.apply(ctx.getBroadcastState(SamplingRatesState.DESCRIPTOR), record);
    }

    @Override
    public void processElement(TraceFragment fragment, ReadOnlyContext ctx, Collector<Span> out)
            throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        if (startedMillis < 0) {
            startedMillis = now;
        }
        loadRates(ctx);
        TraceSummary trace = summary.value();
        if (trace == null) {
            CachedDecision decided = decisions.value();
            if (decided != null) {
                followDecision(ctx, decided, fragment, out);
                return;
            }
            trace = TraceSummary.firstSeenAt(now);
            trace.timerMillis = now + decisionWaitMillis;
            ctx.timerService().registerProcessingTimeTimer(trace.timerMillis);
            tracesStarted.inc();
        }
        TraceFragment rest = null;
        if (trace.spanCount + fragment.spanCount > maxSpansPerTrace) {
            List<TraceFragment> parts = OtlpDecoder.split(fragment, maxSpansPerTrace - trace.spanCount);
            fragment = parts.get(0);
            rest = parts.get(1);
        }
        fragment.addTo(trace, now);
        spans.add(fragment.payload);
        DecisionTrigger limit =
                trace.spanCount >= maxSpansPerTrace
                        ? DecisionTrigger.MAX_SPANS
                        : trace.byteCount >= maxTraceBytes ? DecisionTrigger.MAX_BYTES : null;
        if (limit != null) {
            ctx.timerService().deleteProcessingTimeTimer(trace.timerMillis);
            CachedDecision decided = decide(ctx, trace, limit, out);
            if (rest != null) {
                followDecision(ctx, decided, rest, out);
            }
            sendStats(ctx, now);
        } else {
            summary.update(trace);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Span> out) throws Exception {
        if (startedMillis < 0) {
            // A timer restored from a checkpoint fires late: its timestamp is not "now".
            startedMillis = ctx.timerService().currentProcessingTime();
        }
        loadRates(ctx);
        TraceSummary trace = summary.value();
        if (trace == null || timestamp != trace.timerMillis) {
            // Not this trace's decision timer: the one that sends statistics from an idle subtask.
            statsTimerSet = false;
            sendStats(ctx, timestamp);
            return;
        }
        long due =
                Math.max(
                        Math.min(
                                trace.lastSeenMillis + decisionWaitMillis,
                                trace.firstSeenMillis + maxTraceDurationMillis),
                        startedMillis + decisionWaitMillis);
        if (timestamp < due) {
            trace.timerMillis = due;
            ctx.timerService().registerProcessingTimeTimer(due);
            summary.update(trace);
        } else {
            DecisionTrigger trigger =
                    trace.lastSeenMillis + decisionWaitMillis > timestamp
                            ? DecisionTrigger.MAX_DURATION
                            : DecisionTrigger.INACTIVITY;
            decide(ctx, trace, trigger, out);
            sendStats(ctx, timestamp);
        }
    }

    /**
     * One record per root service per second instead of one per trace: the statistics' window
     * keeps its sums in keyed state, and a state update per trace would cost as much as the trace.
     * When counts are waiting, one timer (on the current key) sends them should the subtask fall
     * idle.
     */
    private void sendStats(ReadOnlyContext ctx, long nowMillis) {
        if (nowMillis < nextStatsMillis) {
            if (!statsTimerSet && !unsentStats.isEmpty()) {
                ctx.timerService().registerProcessingTimeTimer(nextStatsMillis);
                statsTimerSet = true;
            }
            return;
        }
        unsentStats.values().forEach(stats -> ctx.output(STATS, stats));
        unsentStats.clear();
        nextStatsMillis = nowMillis + 1_000;
    }

    /** After a restore the broadcast state holds the rates, but no broadcast element says so. */
    private void loadRates(ReadOnlyContext ctx) throws Exception {
        if (rates == null) {
            rates = SamplingRatesState.load(ctx.getBroadcastState(SamplingRatesState.DESCRIPTOR));
        }
    }

    private CachedDecision decide(ReadOnlyContext ctx, TraceSummary trace, DecisionTrigger trigger, Collector<Span> out)
            throws Exception {
        String traceId = ctx.getCurrentKey();
        // Spans are read and decoded only if a policy needs them or the trace is kept.
        TraceView view = TraceView.of(traceId, trace, () -> bufferedSpans(traceId, trace.spanCount));
        Decision decision = policy.evaluate(view);
        tracesDecided.inc();
        boolean incomplete = !trace.rootSeen;
        ServiceStats stats = ServiceStats.ofDecision(trace, decision, representative, trace.presampleRate);
        unsentStats.computeIfAbsent(stats.service, ServiceStats::empty).add(stats);
        // The head's, pre-sampling's and the policy's probabilities compose into the trace's weight.
        double probability = trace.keptProbability(decision.probability());
        if (decision.isSampled()) {
            List<Span> kept = view.spans();
            tracesKept.inc();
            spansKept.inc(kept.size());
            for (Span span : kept) {
                span.markKept(decision.policy(), probability, trigger, incomplete);
                out.collect(span);
            }
            summarize(traceId, kept, ctx);
        }
        spans.clear();
        summary.clear();
        CachedDecision decided = new CachedDecision(decision.isSampled(), decision.policy(), probability, incomplete);
        decisions.update(decided);
        return decided;
    }

    /** The summary and locations of a kept trace; whatever goes wrong there, its spans are written. */
    private void summarize(String traceId, List<Span> kept, ReadOnlyContext ctx) {
        KeptTrace summary;
        List<TraceLocation> locations;
        try {
            summary = KeptTrace.of(kept);
            locations = TraceLocation.of(kept);
        } catch (RuntimeException e) {
            if (summariesFailed.getCount() == 0) {
                LOG.warn("Could not summarize kept trace {}; its spans are written, the metric summariesFailed counts"
                        + " such traces", traceId, e);
            }
            summariesFailed.inc();
            return;
        }
        ctx.output(SUMMARIES, summary);
        locations.forEach(location -> ctx.output(LOCATIONS, location));
    }

    /** Spans of a decided trace go where the trace went. */
    private void followDecision(
            ReadOnlyContext ctx, CachedDecision decided, TraceFragment fragment, Collector<Span> out) {
        if (!decided.sampled) {
            lateSpansDropped.inc(fragment.spanCount);
            return;
        }
        List<Span> late = new ArrayList<>(fragment.spanCount);
        SpanDecoder.decode(fragment.payload, late);
        lateSpansKept.inc(late.size());
        spansKept.inc(late.size());
        for (Span span : late) {
            span.markKept(decided.policy, decided.probability, DecisionTrigger.LATE, decided.incomplete);
            out.collect(span);
        }
        TraceLocation.of(late).forEach(location -> ctx.output(LOCATIONS, location));
    }

    /** The spans buffered for the current trace, decoded in full, each span id once. */
    private List<Span> bufferedSpans(String traceId, int expected) {
        List<Span> decoded = new ArrayList<>(expected);
        try {
            for (byte[] payload : spans.get()) {
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
        duplicateSpans.inc(decoded.size() - unique.size());
        return unique;
    }
}

package dev.tailsampling.operators;

import dev.tailsampling.operators.decide.BufferLimits;
import dev.tailsampling.operators.decide.StatsBatch;
import dev.tailsampling.operators.decide.TraceBuffer;
import dev.tailsampling.operators.decide.TraceDecider;
import dev.tailsampling.sampling.PolicyContext;
import dev.tailsampling.sampling.PolicySet;
import dev.tailsampling.sampling.Span;
import dev.tailsampling.sampling.TraceSummary;
import dev.tailsampling.sampling.metrics.EdgeCalls;
import dev.tailsampling.sampling.rates.BudgetGuard;
import dev.tailsampling.sampling.rates.SamplingRate;
import dev.tailsampling.sampling.rates.SamplingRates;
import dev.tailsampling.sampling.rates.ServiceStats;
import dev.tailsampling.sampling.summary.AttributeLocation;
import dev.tailsampling.sampling.summary.KeptTrace;
import dev.tailsampling.sampling.summary.TraceLocation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.BasicTypeInfo;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tail sampler in Flink: {@link TraceDecider} buffers and decides each trace, this function
 * gives it the trace's keyed state (RocksDB), processing-time timers and clock, and puts out what
 * it decides. Time is processing time: the wait is for spans still on their way, so it is measured
 * on the clock they arrive by, and an idle partition cannot hold decisions back. A fragment's OTLP
 * bytes are appended to a list state (RocksDB merges appends without reading the list); the summary
 * beside them is small. A decision stays in state for {@code decisionCacheTtl}.
 *
 * <p>Kept spans go to the main output; each kept trace's summary ({@link #SUMMARIES}) and the
 * places its spans went ({@link #LOCATIONS}) to side outputs. A failure while summarizing a kept
 * trace never fails its decision: the spans are still written, and the failure is counted ({@code
 * summariesFailed}).
 *
 * <p>The budget controller's rates arrive as a broadcast stream into broadcast state; the
 * representative sample uses them from the next decision on, and the {@link BudgetGuard} the budget
 * they carry. Every decided trace is counted per
 * root service for the controller ({@link StatsBatch}, on the {@link #STATS} side output); should
 * the subtask fall idle with counts waiting, one timer on the current key sends them: a timer that
 * is not a trace's own is that one. What policies learned is kept in union operator state.
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
    /** What the shadow file's policies learned goes under this prefix beside the live file's. */
    static final String SHADOW_STATE_PREFIX = "shadow/";
    /** What policies learned (latency sketches): a union list, so a restore merges every subtask's. */
    static final ListStateDescriptor<PolicyStateEntry> POLICY_STATE =
            new ListStateDescriptor<>("policy-state", SamplingTypes.POLICY_STATE_ENTRY);
    /**
     * Traces buffered by each subtask at the checkpoint, for the {@code tracesBuffered} gauge: a
     * split list, so a rescale hands the counts out and their sum stays the job's.
     */
    static final ListStateDescriptor<Long> BUFFERED_TRACES =
            new ListStateDescriptor<>("buffered-traces", BasicTypeInfo.LONG_TYPE_INFO);
    /** One record per decided trace: what the budget controller allocates from. */
    public static final OutputTag<ServiceStats> STATS = new OutputTag<>("trace-stats", SamplingTypes.SERVICE_STATS);
    /** One summary per kept trace, made when it is decided (late spans do not change it). */
    public static final OutputTag<KeptTrace> SUMMARIES = new OutputTag<>("kept-traces", SamplingTypes.KEPT_TRACE);
    /** Where the kept spans went: one per trace, hour and service, late spans included. */
    public static final OutputTag<TraceLocation> LOCATIONS =
            new OutputTag<>("trace-locations", SamplingTypes.TRACE_LOCATION);
    /**
     * Calls between services in each kept trace, weighted by its adjusted count, for the service
     * graph; made when the trace is decided (late spans do not add to it).
     */
    public static final OutputTag<EdgeCalls> EDGES = new OutputTag<>("edge-calls", SamplingTypes.EDGE_CALLS);
    /** Where each value of an indexed attribute went: one per key, value, trace, hour and service. */
    public static final OutputTag<AttributeLocation> ATTRIBUTES =
            new OutputTag<>("attribute-locations", SamplingTypes.ATTRIBUTE_LOCATION);

    private final PolicySet policy;
    /** The shadow file's policies: evaluated on every decided trace, never acted on; null for none. */
    private final PolicySet shadow;

    private final BufferLimits limits;
    private final Duration decisionCacheTtl;
    /** The attribute keys whose values are indexed; none by default. */
    private final Set<String> indexedAttributes;

    private transient TraceDecider decider;
    private transient TraceBuffer buffer;
    private transient ListState<PolicyStateEntry> learned;
    private transient ListState<Long> bufferedAtCheckpoint;
    /** Traces this subtask buffered when it was restored (0 on a fresh start). */
    private transient long restoredBuffered;
    /** Services with a {@code samplingRate} gauge (group {@code service}). */
    private transient Set<String> rateGauges;

    private transient Counter tracesStarted;
    private transient Counter tracesDecided;
    private transient Counter tracesKept;
    private transient Counter spansKept;
    private transient Counter lateSpansKept;
    private transient Counter lateSpansDropped;
    private transient Counter duplicateSpans;
    private transient Counter summariesFailed;
    /** Representative keeps the budget guard thinned away. */
    private transient Counter tracesThrottled;

    private transient Counter spansThrottled;
    /** Traces and spans kept, per policy that kept them (group {@code policy}). */
    private transient Map<String, Counter[]> keptByPolicy;
    /** Traces, spans and bytes the shadow file would keep, per policy (group {@code shadow_policy}). */
    private transient Map<String, Counter[]> shadowKeeps;
    /** Milliseconds from a trace's last span to its decision: the decision wait, plus how late timers fire. */
    private transient Histogram decisionLatency;
    /** The controller's rates; null until read from broadcast state. */
    private transient SamplingRates rates;

    private transient StatsBatch stats;
    /** Whether a timer is set to send {@link #stats} should no decision come to do it. */
    private transient boolean statsTimerSet;

    public TailSamplerFunction(
            PolicySet policy,
            PolicySet shadow,
            BufferLimits limits,
            Duration decisionCacheTtl,
            Set<String> indexedAttributes) {
        this.policy = policy;
        this.shadow = shadow;
        this.limits = limits;
        this.decisionCacheTtl = decisionCacheTtl;
        this.indexedAttributes = Set.copyOf(indexedAttributes);
    }

    @Override
    public void open(OpenContext openContext) {
        ListState<byte[]> spans = getRuntimeContext().getListState(SPANS);
        ValueState<TraceSummary> summary = getRuntimeContext().getState(SUMMARY);
        ValueStateDescriptor<CachedDecision> decided =
                new ValueStateDescriptor<>(DECISION_STATE, SamplingTypes.CACHED_DECISION);
        decided.enableTimeToLive(StateTtlConfig.newBuilder(decisionCacheTtl).build());
        ValueState<CachedDecision> decisions = getRuntimeContext().getState(decided);
        buffer = new KeyedTraceBuffer(spans, summary, decisions);
        tracesStarted = getRuntimeContext().getMetricGroup().counter("tracesStarted");
        tracesDecided = getRuntimeContext().getMetricGroup().counter("tracesDecided");
        tracesKept = getRuntimeContext().getMetricGroup().counter("tracesKept");
        spansKept = getRuntimeContext().getMetricGroup().counter("spansKept");
        lateSpansKept = getRuntimeContext().getMetricGroup().counter("lateSpansKept");
        lateSpansDropped = getRuntimeContext().getMetricGroup().counter("lateSpansDropped");
        duplicateSpans = getRuntimeContext().getMetricGroup().counter("duplicateSpans");
        summariesFailed = getRuntimeContext().getMetricGroup().counter("summariesFailed");
        tracesThrottled = getRuntimeContext().getMetricGroup().counter("tracesThrottled");
        spansThrottled = getRuntimeContext().getMetricGroup().counter("spansThrottled");
        keptByPolicy = new HashMap<>();
        decisionLatency = getRuntimeContext()
                .getMetricGroup()
                .histogram("decisionLatencyMillis", new DescriptiveStatisticsHistogram(10_000));
        getRuntimeContext()
                .getMetricGroup()
                .<Long, Gauge<Long>>gauge(
                        "ratesAgeSeconds",
                        () -> rates == null ? -1L : rates.controllerAgeMillis(System.currentTimeMillis()) / 1000);
        // A savepoint older than this gauge restores no count: clamped, it reads low until those traces are decided.
        getRuntimeContext().getMetricGroup().<Long, Gauge<Long>>gauge("tracesBuffered", () -> Math.max(0, buffered()));
        rateGauges = new HashSet<>();
        stats = new StatsBatch();
        // Rate limits and the guard divide their job-wide budget over the subtasks; windows run on the wall clock.
        PolicyContext context = new PolicyContext(
                getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks(),
                System::currentTimeMillis,
                () -> rates);
        policy.open(context);
        if (shadow != null) {
            shadow.open(context);
        }
        shadowKeeps = new HashMap<>();
        BudgetGuard guard = new BudgetGuard(context);
        decider = new TraceDecider(policy, shadow, limits, guard);
        getRuntimeContext().getMetricGroup().<Double, Gauge<Double>>gauge("budgetGuardFactor", guard::factor);
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        learned = context.getOperatorStateStore().getUnionListState(POLICY_STATE);
        bufferedAtCheckpoint = context.getOperatorStateStore().getListState(BUFFERED_TRACES);
        if (context.isRestored()) {
            for (PolicyStateEntry entry : learned.get()) {
                if (entry.key.startsWith(SHADOW_STATE_PREFIX)) {
                    if (shadow != null) {
                        shadow.restoreState(entry.key.substring(SHADOW_STATE_PREFIX.length()), entry.value);
                    }
                } else {
                    policy.restoreState(entry.key, entry.value);
                }
            }
            for (Long count : bufferedAtCheckpoint.get()) {
                restoredBuffered += count;
            }
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        Map<String, byte[]> state = new HashMap<>();
        policy.snapshotState(state);
        if (shadow != null) {
            Map<String, byte[]> shadowState = new HashMap<>();
            shadow.snapshotState(shadowState);
            shadowState.forEach((key, value) -> state.put(SHADOW_STATE_PREFIX + key, value));
        }
        List<PolicyStateEntry> entries = new ArrayList<>(state.size());
        state.forEach((key, value) -> entries.add(new PolicyStateEntry(key, value)));
        learned.update(entries);
        bufferedAtCheckpoint.update(List.of(buffered()));
    }

    private long buffered() {
        return restoredBuffered + tracesStarted.getCount() - tracesDecided.getCount();
    }

    @Override
    public void processBroadcastElement(SamplingRate record, Context ctx, Collector<Span> out) throws Exception {
        rates = SamplingRatesState.apply(ctx.getBroadcastState(SamplingRatesState.DESCRIPTOR), record);
        addRateGauges();
    }

    /** A {@code samplingRate} gauge for each service the controller has a rate for (NaN once none is in force). */
    private void addRateGauges() {
        for (String service : rates.services()) {
            if (rateGauges.add(service)) {
                getRuntimeContext()
                        .getMetricGroup()
                        .addGroup("service", service)
                        .<Double, Gauge<Double>>gauge(
                                "samplingRate", () -> rates.rateFor(service, System.currentTimeMillis(), Double.NaN));
            }
        }
    }

    @Override
    public void processElement(TraceFragment fragment, ReadOnlyContext ctx, Collector<Span> out) throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        loadRates(ctx);
        decider.onFragment(fragment, now, buffer, timers(ctx.timerService()), output(ctx, out));
        sendStats(ctx, now);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Span> out) throws Exception {
        loadRates(ctx);
        boolean tracesOwn = decider.onTimer(
                ctx.getCurrentKey(),
                timestamp,
                ctx.timerService().currentProcessingTime(),
                buffer,
                timers(ctx.timerService()),
                output(ctx, out));
        if (!tracesOwn) {
            statsTimerSet = false;
        }
        sendStats(ctx, timestamp);
    }

    /** Sends the counts if they are due, else makes sure a timer will. */
    private void sendStats(ReadOnlyContext ctx, long nowMillis) {
        stats.takeDue(nowMillis).forEach(due -> ctx.output(STATS, due));
        long dueMillis = stats.dueMillis();
        if (dueMillis >= 0 && !statsTimerSet) {
            ctx.timerService().registerProcessingTimeTimer(dueMillis);
            statsTimerSet = true;
        }
    }

    /** After a restore the broadcast state holds the rates, but no broadcast element says so. */
    private void loadRates(ReadOnlyContext ctx) throws Exception {
        if (rates == null) {
            rates = SamplingRatesState.load(ctx.getBroadcastState(SamplingRatesState.DESCRIPTOR));
            addRateGauges();
        }
    }

    private static TraceDecider.Timers timers(TimerService service) {
        return new TraceDecider.Timers() {
            @Override
            public void register(long atMillis) {
                service.registerProcessingTimeTimer(atMillis);
            }

            @Override
            public void delete(long atMillis) {
                service.deleteProcessingTimeTimer(atMillis);
            }
        };
    }

    private TraceDecider.Output output(ReadOnlyContext ctx, Collector<Span> out) {
        return new TraceDecider.Output() {
            @Override
            public void kept(String traceId, List<Span> spans) {
                tracesKept.inc();
                spansKept.inc(spans.size());
                if (!spans.isEmpty()) {
                    Counter[] byPolicy = keptByPolicy.computeIfAbsent(spans.get(0).samplingPolicy, policy -> {
                        MetricGroup group = getRuntimeContext().getMetricGroup().addGroup("policy", policy);
                        return new Counter[] {group.counter("tracesKeptByPolicy"), group.counter("spansKeptByPolicy")};
                    });
                    byPolicy[0].inc();
                    byPolicy[1].inc(spans.size());
                }
                spans.forEach(out::collect);
                summarize(traceId, spans, ctx);
            }

            @Override
            public void keptLate(List<Span> spans) {
                lateSpansKept.inc(spans.size());
                spansKept.inc(spans.size());
                spans.forEach(out::collect);
                TraceLocation.of(spans).forEach(location -> ctx.output(LOCATIONS, location));
                AttributeLocation.of(spans, indexedAttributes).forEach(location -> ctx.output(ATTRIBUTES, location));
            }

            @Override
            public void droppedLate(int spans) {
                lateSpansDropped.inc(spans);
            }

            @Override
            public void decided(ServiceStats decided, long waitedMillis) {
                tracesDecided.inc();
                tracesThrottled.inc(decided.tracesThrottled);
                spansThrottled.inc(decided.spansThrottled);
                decided.shadowKeptByPolicy.forEach((name, keeps) -> {
                    Counter[] counters = shadowKeeps.computeIfAbsent(name, policy -> {
                        MetricGroup group = getRuntimeContext().getMetricGroup().addGroup("shadow_policy", policy);
                        return new Counter[] {
                            group.counter("shadowTracesKept"),
                            group.counter("shadowSpansKept"),
                            group.counter("shadowBytesKept")
                        };
                    });
                    counters[0].inc(keeps.traces);
                    counters[1].inc(keeps.spans);
                    counters[2].inc(keeps.bytes);
                });
                decisionLatency.update(waitedMillis);
                stats.add(decided);
            }

            @Override
            public void started() {
                tracesStarted.inc();
            }

            @Override
            public void duplicates(int spans) {
                duplicateSpans.inc(spans);
            }
        };
    }

    /**
     * The summary, locations (trace and attribute) and service-graph calls of a kept trace; whatever
     * goes wrong there, its spans are written.
     */
    private void summarize(String traceId, List<Span> kept, ReadOnlyContext ctx) {
        KeptTrace summary;
        List<TraceLocation> locations;
        List<AttributeLocation> attributes;
        List<EdgeCalls> edges;
        try {
            summary = KeptTrace.of(kept);
            locations = TraceLocation.of(kept);
            attributes = AttributeLocation.of(kept, indexedAttributes);
            edges = EdgeCalls.of(kept);
        } catch (RuntimeException e) {
            if (summariesFailed.getCount() == 0) {
                LOG.warn(
                        "Could not summarize kept trace {}; its spans are written, the metric summariesFailed counts"
                                + " such traces",
                        traceId,
                        e);
            }
            summariesFailed.inc();
            return;
        }
        ctx.output(SUMMARIES, summary);
        locations.forEach(location -> ctx.output(LOCATIONS, location));
        attributes.forEach(location -> ctx.output(ATTRIBUTES, location));
        edges.forEach(calls -> ctx.output(EDGES, calls));
    }

    /** The current key's state, as the decider sees it. */
    private static final class KeyedTraceBuffer implements TraceBuffer {
        private final ListState<byte[]> spans;
        private final ValueState<TraceSummary> summary;
        private final ValueState<CachedDecision> decisions;

        KeyedTraceBuffer(
                ListState<byte[]> spans, ValueState<TraceSummary> summary, ValueState<CachedDecision> decisions) {
            this.spans = spans;
            this.summary = summary;
            this.decisions = decisions;
        }

        @Override
        public TraceSummary summary() throws Exception {
            return summary.value();
        }

        @Override
        public void updateSummary(TraceSummary trace) throws Exception {
            summary.update(trace);
        }

        @Override
        public void append(byte[] payload) throws Exception {
            spans.add(payload);
        }

        @Override
        public Iterable<byte[]> spans() throws Exception {
            return spans.get();
        }

        @Override
        public CachedDecision decision() throws Exception {
            return decisions.value();
        }

        @Override
        public void decided(CachedDecision decision) throws Exception {
            spans.clear();
            summary.clear();
            decisions.update(decision);
        }
    }
}

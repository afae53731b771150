package dev.tailsampling.jobs.bench;

import dev.tailsampling.operators.OtlpRecord;
import dev.tailsampling.operators.SamplingTypes;
import dev.tailsampling.operators.otlp.SpanDecoder;
import dev.tailsampling.sampling.Decision;
import dev.tailsampling.sampling.DecisionTrigger;
import dev.tailsampling.sampling.PolicySet;
import dev.tailsampling.sampling.Span;
import dev.tailsampling.sampling.TraceSummary;
import dev.tailsampling.sampling.TraceView;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.ProcessingTimeSessionWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * The baseline: what a tail sampler usually looks like when first written. Every span is decoded in
 * full before the shuffle, buffered as a record in session-window state (a processing-time gap,
 * the same semantics as the job's decision wait), and the window function decides on the whole
 * list with the same policies.
 */
final class SessionWindowSampler {
    private SessionWindowSampler() {}

    static DataStream<Span> keptSpans(DataStream<OtlpRecord> records, PolicySet policy, Duration gap) {
        return records.process(new FullDecode(), SamplingTypes.SPAN)
                .uid("full-decode")
                .keyBy(s -> s.traceId, Types.STRING)
                .window(ProcessingTimeSessionWindows.withGap(gap))
                .process(new Decide(policy), SamplingTypes.SPAN)
                .uid("session-decide");
    }

    static final class FullDecode extends ProcessFunction<OtlpRecord, Span> {
        private transient Counter spansDecoded;

        @Override
        public void open(OpenContext openContext) {
            spansDecoded = getRuntimeContext().getMetricGroup().counter("spansDecoded");
        }

        @Override
        public void processElement(OtlpRecord record, Context ctx, Collector<Span> out) throws Exception {
            for (ResourceSpans rs :
                    ExportTraceServiceRequest.parseFrom(record.value).getResourceSpansList()) {
                for (ScopeSpans ss : rs.getScopeSpansList()) {
                    for (io.opentelemetry.proto.trace.v1.Span span : ss.getSpansList()) {
                        out.collect(SpanDecoder.toSpan(rs, ss, span));
                        spansDecoded.inc();
                    }
                }
            }
        }
    }

    static final class Decide extends ProcessWindowFunction<Span, Span, String, TimeWindow> {
        private final PolicySet policy;
        private transient Counter tracesDecided;

        Decide(PolicySet policy) {
            this.policy = policy;
        }

        @Override
        public void open(OpenContext openContext) {
            tracesDecided = getRuntimeContext().getMetricGroup().counter("tracesDecided");
        }

        @Override
        public void process(String traceId, Context ctx, Iterable<Span> spans, Collector<Span> out) {
            List<Span> all = new ArrayList<>();
            TraceSummary summary = TraceSummary.firstSeenAt(0);
            for (Span span : spans) {
                all.add(span);
                summary.addSpan(span);
            }
            Decision decision = policy.evaluate(TraceView.of(traceId, summary, () -> all));
            tracesDecided.inc();
            if (decision.keeps()) {
                for (Span span : all) {
                    span.markKept(
                            decision.policy(), decision.probability(), DecisionTrigger.INACTIVITY, !summary.rootSeen);
                    out.collect(span);
                }
            }
        }
    }
}

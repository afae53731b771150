package dev.tailsampling.jobs.bench;

import dev.tailsampling.jobs.TailSamplingJob;
import dev.tailsampling.operators.DecodeOperator;
import dev.tailsampling.operators.SamplingTypes;
import dev.tailsampling.operators.TraceFragment;
import dev.tailsampling.sampling.Span;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Prefixes of the job's path, to see where the time goes: each ends in a stage that counts one
 * decided trace per fragment holding a root span and emits nothing.
 */
final class Stages {
    private Stages() {}

    static DataStream<Span> decodeOnly(TailSamplingJob job, StreamExecutionEnvironment env) {
        return decoded(job, env).process(new CountRoots(), SamplingTypes.SPAN).uid("count-roots");
    }

    static DataStream<Span> decodeAndKeyBy(TailSamplingJob job, StreamExecutionEnvironment env) {
        return decoded(job, env)
                .keyBy(e -> e.traceId, Types.STRING)
                .process(new CountRoots(), SamplingTypes.SPAN)
                .uid("count-roots");
    }

    private static DataStream<TraceFragment> decoded(TailSamplingJob job, StreamExecutionEnvironment env) {
        return job.records(env)
                .transform(
                        "decode",
                        SamplingTypes.TRACE_FRAGMENT,
                        new DecodeOperator(job.conf().decodeLimits, job.conf().redaction))
                .uid("decode");
    }

    /** Counts a trace as decided when its root span passes: every trace has exactly one. */
    static final class CountRoots extends ProcessFunction<TraceFragment, Span> {
        private transient Counter tracesDecided;

        @Override
        public void open(OpenContext openContext) {
            tracesDecided = getRuntimeContext().getMetricGroup().counter("tracesDecided");
        }

        @Override
        public void processElement(TraceFragment fragment, Context ctx, Collector<Span> out) {
            if (fragment.rootSeen) {
                tracesDecided.inc();
            }
        }
    }
}

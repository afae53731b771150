package dev.tailsampling.operators;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import dev.tailsampling.operators.otlp.OtlpDecoder;
import dev.tailsampling.sampling.metrics.OperationSample;
import io.opentelemetry.proto.trace.v1.Span;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Splits OTLP records into trace fragments; refused input goes to the {@link #DEAD_LETTERS} side
 * output with its reason and never fails the job. Every valid span is also counted, before any
 * sampling, into one {@link OperationSample} per operation and minute of the record, on the {@link
 * #METRICS} side output.
 */
public class DecodeFunction extends ProcessFunction<byte[], TraceFragment> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DecodeFunction.class);

    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", SamplingTypes.DEAD_LETTER);

    public static final OutputTag<OperationSample> METRICS =
            new OutputTag<>("operation-samples", SamplingTypes.OPERATION_SAMPLE);

    private transient Counter spansDecoded;
    private transient OperationSample.Collector samples;
    private transient Counter deadLetters;

    @Override
    public void open(OpenContext openContext) {
        spansDecoded = getRuntimeContext().getMetricGroup().counter("spansDecoded");
        deadLetters = getRuntimeContext().getMetricGroup().counter("deadLetters");
        samples = new OperationSample.Collector();
    }

    @Override
    public void processElement(byte[] record, Context ctx, Collector<TraceFragment> out) {
        OtlpDecoder.decode(
                record,
                new OtlpDecoder.Output() {
                    @Override
                    public void fragment(TraceFragment fragment) {
                        spansDecoded.inc(fragment.spanCount);
                        out.collect(fragment);
                    }

                    @Override
                    public void deadLetter(DeadLetter deadLetter) {
                        // The first one says that the dead-letter topic has work; the count says the rest.
                        if (deadLetters.getCount() == 0) {
                            LOG.warn(
                                    "Sending refused input to the dead-letter topic ({}: {}); "
                                            + "the metric deadLetters counts them",
                                    deadLetter.reason,
                                    deadLetter.detail);
                        }
                        deadLetters.inc();
                        ctx.output(DEAD_LETTERS, deadLetter);
                    }

                    @Override
                    public void measured(
                            String service, String kind, Span span, boolean error, double headProbability) {
                        samples.add(
                                service,
                                span.getName(),
                                kind,
                                span.getStartTimeUnixNano(),
                                span.getEndTimeUnixNano() - span.getStartTimeUnixNano(),
                                error,
                                headProbability);
                    }
                });
        for (OperationSample sample : samples.drain()) {
            ctx.output(METRICS, sample);
        }
    }
}

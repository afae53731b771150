package dev.tailsampling.operators;

import dev.tailsampling.operators.otlp.DecodeLimits;
import dev.tailsampling.operators.otlp.OtlpDecoder;
import dev.tailsampling.operators.otlp.Redaction;
import dev.tailsampling.sampling.metrics.OperationSample;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Splits OTLP records into trace fragments; refused input goes to the {@link #DEAD_LETTERS} side
 * output with its reason and source and never fails the job. Every valid span is also counted,
 * before any sampling, into one {@link OperationSample} per operation and minute, which {@link
 * DecodeOperator}, the only one to run this function, sends on the {@link #METRICS} side output for
 * many records at once.
 *
 * <p>Metrics: {@code spansDecoded}; {@code deadLetters} in all, and {@code deadLettersByReason} in a
 * group {@code reason} per reason code. Span times are checked against this subtask's processing
 * time.
 */
public class DecodeFunction extends ProcessFunction<OtlpRecord, TraceFragment> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DecodeFunction.class);

    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters", SamplingTypes.DEAD_LETTER);

    public static final OutputTag<OperationSample> METRICS =
            new OutputTag<>("operation-samples", SamplingTypes.OPERATION_SAMPLE);

    private final DecodeLimits limits;
    private final Redaction redaction;

    private transient OtlpDecoder decoder;
    private transient Counter spansDecoded;
    private transient OperationSample.Collector samples;
    private transient Counter deadLetters;
    private transient Map<String, Counter> deadLettersByReason;

    DecodeFunction(DecodeLimits limits, Redaction redaction) {
        this.limits = limits;
        this.redaction = redaction;
    }

    @Override
    public void open(OpenContext openContext) {
        // The hash key is read here, on the task manager, never shipped with the job.
        decoder = new OtlpDecoder(limits, redaction.open());
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        spansDecoded = metrics.counter("spansDecoded");
        deadLetters = metrics.counter("deadLetters");
        deadLettersByReason = new HashMap<>();
        samples = new OperationSample.Collector();
    }

    @Override
    public void processElement(OtlpRecord record, Context ctx, Collector<TraceFragment> out) {
        decoder.decode(record.value, ctx.timerService().currentProcessingTime(), new OtlpDecoder.Output() {
            @Override
            public void fragment(TraceFragment fragment) {
                spansDecoded.inc(fragment.spanCount);
                out.collect(fragment);
            }

            @Override
            public void deadLetter(DeadLetter deadLetter) {
                deadLetter.sourceTopic = record.topic;
                deadLetter.sourcePartition = record.partition;
                deadLetter.sourceOffset = record.offset;
                // The first one says that the dead-letter topic has work; the count says the rest.
                if (deadLetters.getCount() == 0) {
                    LOG.warn(
                            "Sending refused input to the dead-letter topic ({}: {}, from {}-{} at offset {});"
                                    + " the metric deadLetters counts them",
                            deadLetter.reason,
                            deadLetter.detail,
                            record.topic,
                            record.partition,
                            record.offset);
                }
                deadLetters.inc();
                deadLettersByReason
                        .computeIfAbsent(deadLetter.reason, reason -> getRuntimeContext()
                                .getMetricGroup()
                                .addGroup("reason", reason)
                                .counter("deadLettersByReason"))
                        .inc();
                ctx.output(DEAD_LETTERS, deadLetter);
            }

            @Override
            public void measured(String service, String kind, Span span, boolean error, double headProbability) {
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
    }

    /** The samples gathered since the last call, one per service, operation, kind, minute and head probability. */
    List<OperationSample> drainSamples() {
        return samples.drain();
    }
}

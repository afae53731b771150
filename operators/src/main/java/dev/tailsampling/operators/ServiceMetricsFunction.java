package dev.tailsampling.operators;

import dev.tailsampling.sampling.metrics.OperationMinute;
import dev.tailsampling.sampling.metrics.OperationSample;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Adds up the samples of one service, operation, span kind and minute (the key) and emits the
 * minute's row {@code delay} after the minute ends on this subtask's clock, or {@code delay} after
 * its first sample if that is later (a replay of old data). Spans that come after the row was
 * written start a new row for the same minute: counts add up and sketches merge, so analysts sum
 * and merge rows rather than expect one per minute.
 */
public class ServiceMetricsFunction extends KeyedProcessFunction<String, OperationSample, OperationMinute> {
    private static final long serialVersionUID = 1L;

    // State names are savepoint keys: never rename them.
    static final ValueStateDescriptor<OperationMinute> MINUTE =
            new ValueStateDescriptor<>("operation-minute", SamplingTypes.OPERATION_MINUTE);

    private final long delayMillis;
    private transient ValueState<OperationMinute> minute;
    private transient Counter rowsWritten;
    private transient Counter spansCounted;

    public ServiceMetricsFunction(Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("the metrics delay cannot be negative: " + delay);
        }
        this.delayMillis = delay.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        minute = getRuntimeContext().getState(MINUTE);
        rowsWritten = getRuntimeContext().getMetricGroup().counter("metricRowsWritten");
        spansCounted = getRuntimeContext().getMetricGroup().counter("metricSpansCounted");
    }

    @Override
    public void processElement(OperationSample sample, Context ctx, Collector<OperationMinute> out) throws Exception {
        OperationMinute current = minute.value();
        if (current == null) {
            current = OperationMinute.startedBy(sample);
            long now = ctx.timerService().currentProcessingTime();
            ctx.timerService().registerProcessingTimeTimer(Math.max(now, sample.minuteMillis + 60_000L) + delayMillis);
        }
        current.add(sample);
        minute.update(current);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<OperationMinute> out) throws Exception {
        OperationMinute done = minute.value();
        if (done != null) {
            out.collect(done);
            minute.clear();
            rowsWritten.inc();
            spansCounted.inc(done.requestCount);
        }
    }
}

package dev.tailsampling.operators;

import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Adds up the samples of one key (a row of a per-minute table: what happened in one minute) and
 * emits the row {@code delay} after the minute ends on this subtask's clock, or {@code delay} after
 * its first sample if that is later (a replay of old data). Samples that come after the row was
 * written start a new row for the same minute: counts add up and sketches merge, so analysts sum
 * and merge rows rather than expect one per minute.
 */
public abstract class MinuteRowsFunction<S, R> extends KeyedProcessFunction<String, S, R> {
    private static final long serialVersionUID = 1L;

    private final long delayMillis;
    private final ValueStateDescriptor<R> rowState;
    private final String rowsMetric;
    private final String countedMetric;
    private transient ValueState<R> row;
    private transient Counter rowsWritten;
    private transient Counter counted;

    /** Keeps the open row in {@code rowState}; counts rows and what they hold in the two metrics. */
    protected MinuteRowsFunction(
            Duration delay, ValueStateDescriptor<R> rowState, String rowsMetric, String countedMetric) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("the metrics delay cannot be negative: " + delay);
        }
        this.delayMillis = delay.toMillis();
        this.rowState = rowState;
        this.rowsMetric = rowsMetric;
        this.countedMetric = countedMetric;
    }

    /** An empty row for the sample's key. */
    protected abstract R start(S sample);

    /** Start of the sample's minute, Unix milliseconds. */
    protected abstract long minuteMillis(S sample);

    protected abstract void add(R row, S sample);

    /** What the row counts, for the second metric. */
    protected abstract long counted(R row);

    @Override
    public void open(OpenContext openContext) {
        row = getRuntimeContext().getState(rowState);
        rowsWritten = getRuntimeContext().getMetricGroup().counter(rowsMetric);
        counted = getRuntimeContext().getMetricGroup().counter(countedMetric);
    }

    @Override
    public void processElement(S sample, Context ctx, Collector<R> out) throws Exception {
        R current = row.value();
        if (current == null) {
            current = start(sample);
            long now = ctx.timerService().currentProcessingTime();
            ctx.timerService().registerProcessingTimeTimer(Math.max(now, minuteMillis(sample) + 60_000L) + delayMillis);
        }
        add(current, sample);
        row.update(current);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<R> out) throws Exception {
        R done = row.value();
        if (done != null) {
            out.collect(done);
            row.clear();
            rowsWritten.inc();
            counted.inc(counted(done));
        }
    }
}

package dev.tailsampling.operators;

import dev.tailsampling.sampling.metrics.OperationMinute;
import dev.tailsampling.sampling.metrics.OperationSample;
import java.time.Duration;
import org.apache.flink.api.common.state.ValueStateDescriptor;

/** The rows of {@code service_metrics}: every span of one service, operation, span kind and minute (the key). */
public class ServiceMetricsFunction extends MinuteRowsFunction<OperationSample, OperationMinute> {
    private static final long serialVersionUID = 1L;

    // State names are savepoint keys: never rename them.
    static final ValueStateDescriptor<OperationMinute> MINUTE =
            new ValueStateDescriptor<>("operation-minute", SamplingTypes.OPERATION_MINUTE);

    public ServiceMetricsFunction(Duration delay) {
        super(delay, MINUTE, "metricRowsWritten", "metricSpansCounted");
    }

    @Override
    protected OperationMinute start(OperationSample sample) {
        return OperationMinute.startedBy(sample);
    }

    @Override
    protected long minuteMillis(OperationSample sample) {
        return sample.minuteMillis;
    }

    @Override
    protected void add(OperationMinute row, OperationSample sample) {
        row.add(sample);
    }

    @Override
    protected long counted(OperationMinute row) {
        return row.requestCount;
    }
}

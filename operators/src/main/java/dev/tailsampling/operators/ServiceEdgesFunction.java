package dev.tailsampling.operators;

import dev.tailsampling.sampling.metrics.EdgeCalls;
import dev.tailsampling.sampling.metrics.EdgeMinute;
import java.time.Duration;
import org.apache.flink.api.common.state.ValueStateDescriptor;

/** The rows of {@code service_edges}: the kept calls of one caller, callee and minute (the key). */
public class ServiceEdgesFunction extends MinuteRowsFunction<EdgeCalls, EdgeMinute> {
    private static final long serialVersionUID = 1L;

    // State names are savepoint keys: never rename them.
    static final ValueStateDescriptor<EdgeMinute> MINUTE =
            new ValueStateDescriptor<>("edge-minute", SamplingTypes.EDGE_MINUTE);

    public ServiceEdgesFunction(Duration delay) {
        super(delay, MINUTE, "edgeRowsWritten", "edgeCallsCounted");
    }

    @Override
    protected EdgeMinute start(EdgeCalls calls) {
        return EdgeMinute.startedBy(calls);
    }

    @Override
    protected long minuteMillis(EdgeCalls calls) {
        return calls.minuteMillis;
    }

    @Override
    protected void add(EdgeMinute row, EdgeCalls calls) {
        row.add(calls);
    }

    @Override
    protected long counted(EdgeMinute row) {
        return row.keptCalls;
    }
}

package dev.tailsampling.controller.flink;

import dev.tailsampling.controller.BudgetController;
import dev.tailsampling.controller.ControllerState;
import dev.tailsampling.sampling.rates.SamplingRate;
import dev.tailsampling.sampling.rates.ServiceStats;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@link BudgetController} in Flink: statistics windows and manual overrides come in (on
 * one constant key, so that the state lives in the keyed backend and survives restarts), and every
 * interval of processing time the new rates go out. The first statistics window starts the clock.
 */
public class BudgetControllerFunction extends KeyedCoProcessFunction<String, ServiceStats, SamplingRate, SamplingRate> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(BudgetControllerFunction.class);

    /** State name and savepoint key: never rename it. */
    static final ValueStateDescriptor<ControllerState> STATE =
            new ValueStateDescriptor<>("controller-state", ControllerTypes.CONTROLLER_STATE);
    /** Processing time (ms) of the next step; a value so that a restart does not register a second timer. */
    static final ValueStateDescriptor<Long> NEXT_STEP = new ValueStateDescriptor<>("controller-next-step", Long.class);

    private final BudgetController controller;
    private final StorageUsage storage;
    private final long intervalMillis;

    private transient ValueState<ControllerState> state;
    private transient ValueState<Long> nextStep;

    public BudgetControllerFunction(BudgetController controller, StorageUsage storage) {
        this.controller = controller;
        this.storage = storage;
        this.intervalMillis = controller.settings().interval.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        state = getRuntimeContext().getState(STATE);
        nextStep = getRuntimeContext().getState(NEXT_STEP);
    }

    @Override
    public void processElement1(ServiceStats window, Context ctx, Collector<SamplingRate> out) throws Exception {
        ControllerState current = current();
        controller.record(current, window);
        state.update(current);
        if (nextStep.value() == null) {
            long at = ctx.timerService().currentProcessingTime() + intervalMillis;
            ctx.timerService().registerProcessingTimeTimer(at);
            nextStep.update(at);
        }
    }

    @Override
    public void processElement2(SamplingRate record, Context ctx, Collector<SamplingRate> out) throws Exception {
        // The controller's own records come back on this topic too; only an operator's count here.
        if (!record.isManual()) {
            return;
        }
        ControllerState current = current();
        controller.override(current, record, ctx.timerService().currentProcessingTime());
        state.update(current);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<SamplingRate> out) throws Exception {
        ControllerState current = current();
        long used = 0;
        if (controller.settings().storageBytes > 0) {
            try {
                used = storage.bytesUsed();
            } catch (Exception e) {
                // The budget still holds; storage pressure waits for the next step that can measure it.
                LOG.warn("Cannot read the tables' size; allocating without storage pressure this step", e);
            }
        }
        for (SamplingRate rate : controller.step(current, timestamp, used)) {
            out.collect(rate);
        }
        state.update(current);
        long next = timestamp + intervalMillis;
        ctx.timerService().registerProcessingTimeTimer(next);
        nextStep.update(next);
    }

    private ControllerState current() throws Exception {
        ControllerState current = state.value();
        return current != null ? current : new ControllerState();
    }
}

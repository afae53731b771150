package dev.tailsampling.controller.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tailsampling.controller.Budget;
import dev.tailsampling.controller.BudgetController;
import dev.tailsampling.controller.ControllerSettings;
import dev.tailsampling.sampling.rates.SamplingRate;
import dev.tailsampling.sampling.rates.ServiceStats;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.api.java.typeutils.MapTypeInfo;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class BudgetControllerFunctionTest {
    private static final long INTERVAL = 60_000;

    private static KeyedTwoInputStreamOperatorTestHarness<String, ServiceStats, SamplingRate, SamplingRate> harness()
            throws Exception {
        BudgetController controller =
                new BudgetController(ControllerSettings.of(Budget.spansPerSecond(100), Duration.ofMillis(INTERVAL)));
        KeyedTwoInputStreamOperatorTestHarness<String, ServiceStats, SamplingRate, SamplingRate> harness =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new KeyedCoProcessOperator<>(new BudgetControllerFunction(controller, StorageUsage.none())),
                        s -> "budget",
                        r -> "budget",
                        Types.STRING);
        harness.setStateBackend(new EmbeddedRocksDBStateBackend());
        return harness;
    }

    /** A minute of 50 traces/s of 10 spans each, none kept by a rule. */
    private static ServiceStats minute(long end) {
        ServiceStats stats = ServiceStats.empty("frontend");
        stats.windowStartMillis = end - INTERVAL;
        stats.windowEndMillis = end;
        stats.tracesSeen = 3_000;
        stats.spansSeen = 30_000;
        return stats;
    }

    @Test
    void publishesRatesEveryIntervalAndKeepsItsStateAcrossARestore() throws Exception {
        var harness = harness();
        harness.open();
        harness.setProcessingTime(0);
        harness.processElement1(minute(0), 0);
        harness.setProcessingTime(INTERVAL);

        List<SamplingRate> first = harness.extractOutputValues();
        assertThat(first).extracting(r -> r.service).containsExactly("*", "frontend");
        // 500 spans/s against a budget of 100: the initial 0.01 is already below the 0.2 target.
        assertThat(first.get(1).rate).isCloseTo(0.012, within(1e-9));
        assertThat(first.get(1).reason).isEqualTo("under_budget");

        var snapshot = harness.snapshot(1, INTERVAL);
        harness.close();
        harness = harness();
        harness.initializeState(snapshot);
        harness.open();
        harness.processElement2(
                new SamplingRate("frontend", 0.5, 1, "override", SamplingRate.SOURCE_MANUAL, 0, 0), INTERVAL);
        harness.processElement1(minute(2 * INTERVAL), INTERVAL);
        harness.setProcessingTime(2 * INTERVAL);

        List<SamplingRate> second = harness.extractOutputValues();
        assertThat(second).as("the restored timer fired once").hasSize(2);
        assertThat(second.get(1).rate).isEqualTo(0.5);
        assertThat(second.get(1).reason).isEqualTo("override");
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
        harness.close();
    }

    @Test
    void stateTypesNeverFallBackToKryo() {
        assertTyped(ControllerTypes.CONTROLLER_STATE);
    }

    private static void assertTyped(TypeInformation<?> type) {
        assertThat(type).as(type.toString()).isNotInstanceOf(GenericTypeInfo.class);
        if (type instanceof PojoTypeInfo<?> pojo) {
            for (int i = 0; i < pojo.getArity(); i++) {
                assertTyped(pojo.getTypeAt(i));
            }
        } else if (type instanceof MapTypeInfo<?, ?> map) {
            assertTyped(map.getKeyTypeInfo());
            assertTyped(map.getValueTypeInfo());
        }
    }
}

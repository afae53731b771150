package dev.tailsampling.operators;

import dev.tailsampling.sampling.rates.SamplingRate;
import dev.tailsampling.sampling.rates.SamplingRates;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * The rates broadcast from the {@code sampling_rates} topic: the latest record per service, kept
 * in broadcast state so that a checkpoint carries them and a restored job samples at the rates it
 * had, before the topic is read again.
 */
public final class SamplingRatesState {
    /** State name and savepoint key: never rename it. */
    public static final MapStateDescriptor<String, SamplingRate> DESCRIPTOR =
            new MapStateDescriptor<>("sampling-rates", Types.STRING, SamplingTypes.SAMPLING_RATE);

    private SamplingRatesState() {}

    /**
     * Stores {@code record} as its service's latest (or removes the service's record, for a
     * tombstone) and returns the rates now in force.
     */
    static SamplingRates apply(BroadcastState<String, SamplingRate> state, SamplingRate record) throws Exception {
        if (record.isRemoval()) {
            state.remove(record.service);
        } else {
            state.put(record.service, record);
        }
        return load(state);
    }

    static SamplingRates load(ReadOnlyBroadcastState<String, SamplingRate> state) throws Exception {
        List<SamplingRate> records = new ArrayList<>();
        for (Map.Entry<String, SamplingRate> e : state.immutableEntries()) {
            records.add(e.getValue());
        }
        return SamplingRates.of(records);
    }
}

package dev.tailsampling.operators;

import dev.tailsampling.sampling.ConsistentProbability;
import dev.tailsampling.sampling.rates.SamplingRate;
import dev.tailsampling.sampling.rates.SamplingRates;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sheds load before the shuffle and the keyed state: keeps a trace fragment when its trace id's
 * random bits are at or above the threshold of the pre-sampling rate that the controller
 * broadcasts (1, keep all, until it says otherwise). Every subtask decides a trace alike, without
 * coordination, and the fragment carries the rate it passed at into its trace's weight. When the
 * controller's rates are older than {@code ratesMaxAge} (it has gone silent), every fragment passes.
 */
public class PreSamplingFunction extends BroadcastProcessFunction<TraceFragment, SamplingRate, TraceFragment> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(PreSamplingFunction.class);

    private final long ratesMaxAgeMillis;

    private transient SamplingRates rates;
    private transient Counter spansPresampledOut;
    /** The pre-sampling rate the last fragment met, for the gauge. */
    private transient double lastRate;

    private transient boolean staleLogged;

    public PreSamplingFunction(Duration ratesMaxAge) {
        this.ratesMaxAgeMillis = ratesMaxAge.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        spansPresampledOut = getRuntimeContext().getMetricGroup().counter("spansPresampledOut");
        lastRate = 1.0;
        getRuntimeContext().getMetricGroup().<Double, Gauge<Double>>gauge("presampleRate", () -> lastRate);
    }

    @Override
    public void processElement(TraceFragment fragment, ReadOnlyContext ctx, Collector<TraceFragment> out)
            throws Exception {
        if (rates == null) {
            // After a restore the broadcast state holds the rates, but no broadcast element says so.
            rates = SamplingRatesState.load(ctx.getBroadcastState(SamplingRatesState.DESCRIPTOR));
        }
        long now = System.currentTimeMillis();
        double rate = rates.presampleRate(now, ratesMaxAgeMillis);
        lastRate = rate;
        if (!staleLogged && rate == 1.0 && rates.presampleRate(now, Long.MAX_VALUE) < 1.0) {
            LOG.warn(
                    "The controller's pre-sampling rate is {} s old, more than the rates' max age; keeping every"
                            + " trace until it publishes again",
                    rates.controllerAgeMillis(now) / 1000);
            staleLogged = true;
        }
        if (rate < 1.0
                && !ConsistentProbability.isSampledAfterHead(
                        fragment.traceId, rate, fragment.headProbability, fragment.headRandomnessExplicit)) {
            spansPresampledOut.inc(fragment.spanCount);
            return;
        }
        fragment.presampleRate = rate;
        out.collect(fragment);
    }

    @Override
    public void processBroadcastElement(SamplingRate record, Context ctx, Collector<TraceFragment> out)
            throws Exception {
        rates = SamplingRatesState.apply(ctx.getBroadcastState(SamplingRatesState.DESCRIPTOR), record);
    }
}

package dev.tailsampling.operators;

import dev.tailsampling.sampling.rates.ServiceStats;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * Adds up the one-trace statistics of a root service over a window and stamps the window's
 * bounds, so that the controller knows how many seconds the counts cover.
 */
public final class ServiceStatsWindow {
    private ServiceStatsWindow() {}

    /** Sums one-trace records into one per window. */
    public static final class Sum implements AggregateFunction<ServiceStats, ServiceStats, ServiceStats> {
        private static final long serialVersionUID = 1L;

        @Override
        public ServiceStats createAccumulator() {
            return ServiceStats.empty(null);
        }

        @Override
        public ServiceStats add(ServiceStats trace, ServiceStats sum) {
            // The window's key names the service; Stamp sets it.
            return sum.add(trace);
        }

        @Override
        public ServiceStats getResult(ServiceStats sum) {
            return sum;
        }

        @Override
        public ServiceStats merge(ServiceStats a, ServiceStats b) {
            return a.add(b);
        }
    }

    /** Sets the window's start and end on its sum. */
    public static final class Stamp extends ProcessWindowFunction<ServiceStats, ServiceStats, String, TimeWindow> {
        private static final long serialVersionUID = 1L;

        @Override
        public void process(String service, Context context, Iterable<ServiceStats> sums, Collector<ServiceStats> out) {
            for (ServiceStats sum : sums) {
                sum.service = service;
                sum.windowStartMillis = context.window().getStart();
                sum.windowEndMillis = context.window().getEnd();
                out.collect(sum);
            }
        }
    }
}

package dev.tailsampling.local.cluster;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A Flink metric reporter for a cluster inside this JVM (the local run, the integration tests and
 * the benchmarks): it holds on to the job's counters and gauges so that the runner can add them up
 * across subtasks. Register it with {@code metrics.reporter.progress.factory.class} set to
 * {@link Factory}.
 */
public final class ProgressReporter implements MetricReporter {
    /** Counters of the running job by their metric name; all reporters of the JVM share it. */
    private static final Map<Counter, String> COUNTERS = new ConcurrentHashMap<>();

    /** Numeric gauges of the running job (RocksDB's native metrics among them) by their metric name. */
    private static final Map<Gauge<?>, String> GAUGES = new ConcurrentHashMap<>();

    /** Histograms of the running job by their metric name. */
    private static final Map<Histogram, String> HISTOGRAMS = new ConcurrentHashMap<>();

    /** The highest {@code quantile} of the histogram {@code name} over the subtasks that report it; 0 if none. */
    public static double histogramQuantile(String name, double quantile) {
        double max = 0;
        for (Map.Entry<Histogram, String> e : HISTOGRAMS.entrySet()) {
            if (e.getValue().equals(name) && e.getKey().getCount() > 0) {
                max = Math.max(max, e.getKey().getStatistics().getQuantile(quantile));
            }
        }
        return max;
    }

    /** The sum over all subtasks and column families of the numeric gauges whose name ends with {@code suffix}. */
    public static long gaugeTotal(String suffix) {
        long sum = 0;
        for (Map.Entry<Gauge<?>, String> e : GAUGES.entrySet()) {
            if (e.getValue().endsWith(suffix) && e.getKey().getValue() instanceof Number value) {
                sum += value.longValue();
            }
        }
        return sum;
    }

    /** The sum of a counter over all subtasks that currently report it. */
    public static long total(String name) {
        long sum = 0;
        for (Map.Entry<Counter, String> e : COUNTERS.entrySet()) {
            if (e.getValue().equals(name)) {
                sum += e.getKey().getCount();
            }
        }
        return sum;
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        if (metric instanceof Counter) {
            COUNTERS.put((Counter) metric, name);
        } else if (metric instanceof Gauge) {
            GAUGES.put((Gauge<?>) metric, name);
        } else if (metric instanceof Histogram) {
            HISTOGRAMS.put((Histogram) metric, name);
        }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
        COUNTERS.remove(metric);
        GAUGES.remove(metric);
        HISTOGRAMS.remove(metric);
    }

    /** Creates the reporter; named in the Flink configuration. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new ProgressReporter();
        }
    }
}

package dev.tailsampling.sampling.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Some spans of one service, operation and span kind that started in one minute: their count,
 * errors and durations, as seen before any sampling in the job, and the head sampler's probability
 * for them (1 without one). One OTLP record yields one sample per operation and head probability
 * it holds, so the keyed aggregation downstream does one state update per operation and record
 * rather than one per span.
 */
public class OperationSample {
    private static final long MINUTE_NANOS = 60_000_000_000L;

    public String serviceName;
    public String operationName;
    public String spanKind;
    /** Start of the minute, Unix milliseconds. */
    public long minuteMillis;

    public long count;
    public long errors;
    /** The head sampler's probability for these spans: each stands for 1 / this spans sent. */
    public double headProbability = 1.0;
    /** The spans' durations in nanoseconds; only the first {@link #count} are set. */
    public long[] durationsNs = new long[0];

    public OperationSample() {}

    /** Start of the minute of {@code unixNanos}, Unix milliseconds: the minute a per-minute row counts in. */
    static long minuteMillis(long unixNanos) {
        return Math.floorDiv(unixNanos, MINUTE_NANOS) * 60_000L;
    }

    /** The key the samples of one row of {@code service_metrics} share. */
    public String key() {
        return serviceName + '\u0000' + operationName + '\u0000' + spanKind + '\u0000' + minuteMillis;
    }

    /** Gathers the spans of one record into one sample per service, operation, kind, minute and head probability. */
    public static final class Collector {
        private final Map<Key, OperationSample> samples = new HashMap<>();

        public void add(
                String service,
                String operation,
                String kind,
                long startNanos,
                long durationNs,
                boolean error,
                double headProbability) {
            long minuteMillis = minuteMillis(startNanos);
            OperationSample sample =
                    samples.computeIfAbsent(new Key(service, operation, kind, minuteMillis, headProbability), k -> {
                        OperationSample created = new OperationSample();
                        created.serviceName = service;
                        created.operationName = operation;
                        created.spanKind = kind;
                        created.minuteMillis = minuteMillis;
                        created.headProbability = headProbability;
                        created.durationsNs = new long[4];
                        return created;
                    });
            if (sample.count == sample.durationsNs.length) {
                sample.durationsNs = Arrays.copyOf(sample.durationsNs, sample.durationsNs.length * 2);
            }
            sample.durationsNs[(int) sample.count++] = durationNs;
            if (error) {
                sample.errors++;
            }
        }

        /** The samples gathered since the last call, trimmed; the collector is empty after it. */
        public List<OperationSample> drain() {
            List<OperationSample> out = new ArrayList<>(samples.size());
            for (OperationSample sample : samples.values()) {
                sample.durationsNs = Arrays.copyOf(sample.durationsNs, (int) sample.count);
                out.add(sample);
            }
            samples.clear();
            return out;
        }

        private record Key(String service, String operation, String kind, long minuteMillis, double headProbability) {
            Key {
                Objects.requireNonNull(service);
            }
        }
    }
}

package dev.tailsampling.operators;

import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

/**
 * Parameters of the sampling operators: when a trace is decided, what the buffer holds, the
 * built-in policies, the controller's rates and the statistics and metrics sent back.
 */
public final class SamplerOptions {

    public static final ConfigOption<String> POLICIES = ConfigOptions.key("sampling.policies")
            .stringType()
            .noDefaultValue()
            .withDescription("Policy file in the OpenTelemetry Collector's tail_sampling shape; without it,"
                    + " errors, slow traces and a representative sample are kept.");

    public static final ConfigOption<String> SHADOW_POLICIES = ConfigOptions.key("sampling.shadow-policies")
            .stringType()
            .noDefaultValue()
            .withDescription("A second policy file, judged on every decided trace beside the live one and never acted"
                    + " on: what it would keep goes to the metrics and the statistics (shadow report).");

    public static final ConfigOption<Duration> DECISION_WAIT = ConfigOptions.key("sampling.decision-wait")
            .durationType()
            .defaultValue(Duration.ofSeconds(30))
            .withDescription("A trace is decided when no span of it arrived for this long.");

    public static final ConfigOption<Duration> DECISION_WAIT_AFTER_ROOT = ConfigOptions.key(
                    "sampling.decision-wait-after-root")
            .durationType()
            .noDefaultValue()
            .withDescription("Once a trace's root span has arrived, it is decided when no span of it arrived for"
                    + " this long instead; without it, the decision wait. At most the decision wait.");

    public static final ConfigOption<Duration> MAX_TRACE_DURATION = ConfigOptions.key("sampling.max-trace-duration")
            .durationType()
            .defaultValue(Duration.ofMinutes(5))
            .withDescription("A trace is decided at the latest this long after its first span.");

    public static final ConfigOption<Integer> MAX_SPANS_PER_TRACE = ConfigOptions.key("sampling.max-spans-per-trace")
            .intType()
            .defaultValue(10_000)
            .withDescription("A trace is decided as soon as it has this many spans.");

    public static final ConfigOption<MemorySize> MAX_TRACE_BYTES = ConfigOptions.key("sampling.max-trace-bytes")
            .memoryType()
            .defaultValue(MemorySize.ofMebiBytes(64))
            .withDescription("A trace is decided as soon as its buffered spans take this many bytes (OTLP encoded).");

    public static final ConfigOption<Duration> DECISION_CACHE_TTL = ConfigOptions.key("sampling.decision-cache-ttl")
            .durationType()
            .defaultValue(Duration.ofHours(1))
            .withDescription("How long a trace's decision is kept so that late spans follow it.");

    public static final ConfigOption<Duration> LATENCY_THRESHOLD = ConfigOptions.key("sampling.latency-threshold")
            .durationType()
            .defaultValue(Duration.ofSeconds(1))
            .withDescription("Traces at least this long, first start to last end, are kept.");

    public static final ConfigOption<Double> REPRESENTATIVE_RATE = ConfigOptions.key("sampling.representative-rate")
            .doubleType()
            .defaultValue(0.01)
            .withDescription("Fraction of the other traces kept as a representative sample, in [0, 1].");

    public static final ConfigOption<Duration> RATES_MAX_AGE = ConfigOptions.key("sampling.rates-max-age")
            .durationType()
            .defaultValue(Duration.ofMinutes(30))
            .withDescription("When the controller has written no rate for this long, pre-sampling keeps every trace"
                    + " again (so errors are never dropped on stale instructions).");

    public static final ConfigOption<Duration> STATS_WINDOW = ConfigOptions.key("sampling.stats-window")
            .durationType()
            .defaultValue(Duration.ofMinutes(1))
            .withDescription("Window of the per-service statistics published to the stats topic.");

    public static final ConfigOption<Duration> METRICS_DELAY = ConfigOptions.key("metrics.delay")
            .durationType()
            .defaultValue(Duration.ofSeconds(30))
            .withDescription("How long after a minute ends its service_metrics rows are written; spans of"
                    + " that minute arriving later go into another row for it.");

    /** Every one of them, for the jobs to compose and the docs to be checked against. */
    public static final List<ConfigOption<?>> ALL = List.of(
            POLICIES,
            SHADOW_POLICIES,
            DECISION_WAIT,
            DECISION_WAIT_AFTER_ROOT,
            MAX_TRACE_DURATION,
            MAX_SPANS_PER_TRACE,
            MAX_TRACE_BYTES,
            DECISION_CACHE_TTL,
            LATENCY_THRESHOLD,
            REPRESENTATIVE_RATE,
            RATES_MAX_AGE,
            STATS_WINDOW,
            METRICS_DELAY);

    private SamplerOptions() {}
}

package dev.tailsampling.controller;

import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * The budget controller's parameters, beside the Kafka, Iceberg and checkpoint ones it shares with
 * the tail-sampling job. Exactly one budget is given: spans per second, bytes per day, or a cost
 * per month with the cost of a GB-month.
 */
public final class ControllerOptions {

    public static final ConfigOption<Double> SPANS_PER_SECOND = ConfigOptions.key("budget.spans-per-second")
            .doubleType()
            .noDefaultValue()
            .withDescription("Kept spans per second, job-wide.");

    public static final ConfigOption<Double> BYTES_PER_DAY = ConfigOptions.key("budget.bytes-per-day")
            .doubleType()
            .noDefaultValue()
            .withDescription("Kept OTLP bytes per day.");

    public static final ConfigOption<Double> COST_PER_MONTH = ConfigOptions.key("budget.cost-per-month")
            .doubleType()
            .noDefaultValue()
            .withDescription("Storage spend per month; needs --budget.cost-per-gb-month.");

    public static final ConfigOption<Double> COST_PER_GB_MONTH = ConfigOptions.key("budget.cost-per-gb-month")
            .doubleType()
            .noDefaultValue()
            .withDescription("Price of storing one GB for a month.");

    public static final ConfigOption<Duration> RETENTION = ConfigOptions.key("budget.retention")
            .durationType()
            .defaultValue(Duration.ofDays(7))
            .withDescription("How long kept spans are stored, to turn a monthly cost into a byte rate.");

    public static final ConfigOption<Long> STORAGE_BYTES = ConfigOptions.key("budget.storage-bytes")
            .longType()
            .defaultValue(0L)
            .withDescription("Bytes the tables may hold; above 80 % the rates come down. 0 for no limit.");

    public static final ConfigOption<Duration> INTERVAL = ConfigOptions.key("controller.interval")
            .durationType()
            .defaultValue(Duration.ofMinutes(5))
            .withDescription("How often the rates are recomputed.");

    public static final ConfigOption<Double> MAX_CHANGE = ConfigOptions.key("controller.max-change")
            .doubleType()
            .defaultValue(0.2)
            .withDescription("Largest relative change of a rate per interval, in (0, 1).");

    public static final ConfigOption<Double> TOLERANCE = ConfigOptions.key("controller.tolerance")
            .doubleType()
            .defaultValue(0.05)
            .withDescription("A rate within this relative distance of its target is left alone.");

    public static final ConfigOption<Double> SMOOTHING = ConfigOptions.key("controller.smoothing")
            .doubleType()
            .defaultValue(0.5)
            .withDescription("Weight of the newest interval in the smoothed traffic, in (0, 1].");

    public static final ConfigOption<Double> INITIAL_RATE = ConfigOptions.key("controller.initial-rate")
            .doubleType()
            .defaultValue(0.01)
            .withDescription("Default rate before the first step.");

    public static final ConfigOption<Double> MIN_RATE = ConfigOptions.key("controller.min-rate")
            .doubleType()
            .defaultValue(0.001)
            .withDescription("Lowest rate of a service without its own setting, in (0, 1].");

    public static final ConfigOption<Double> MAX_RATE = ConfigOptions.key("controller.max-rate")
            .doubleType()
            .defaultValue(1.0)
            .withDescription("Highest rate of a service without its own setting.");

    public static final ConfigOption<Double> FLOOR = ConfigOptions.key("controller.floor-traces-per-second")
            .doubleType()
            .defaultValue(0.1)
            .withDescription("Kept traces per second below which a service's rate is raised.");

    public static final ConfigOption<String> SERVICES = ConfigOptions.key("controller.services")
            .stringType()
            .noDefaultValue()
            .withDescription("YAML file of per-service min_rate, max_rate, floor_traces_per_second, rate.");

    public static final ConfigOption<Boolean> BUDGET_GUARD = ConfigOptions.key("controller.budget-guard")
            .booleanType()
            .defaultValue(true)
            .withDescription(
                    "Publish the budget with the rates, so that the sampler holds its representative keeps to"
                            + " it second by second between steps (the budget guard); false leaves a surge to the capped steps.");

    /** Every one of them, for the controller job to compose and the docs to be checked against. */
    public static final List<ConfigOption<?>> ALL = List.of(
            SPANS_PER_SECOND,
            BYTES_PER_DAY,
            COST_PER_MONTH,
            COST_PER_GB_MONTH,
            RETENTION,
            STORAGE_BYTES,
            INTERVAL,
            MAX_CHANGE,
            TOLERANCE,
            SMOOTHING,
            INITIAL_RATE,
            MIN_RATE,
            MAX_RATE,
            FLOOR,
            SERVICES,
            BUDGET_GUARD);

    private ControllerOptions() {}
}

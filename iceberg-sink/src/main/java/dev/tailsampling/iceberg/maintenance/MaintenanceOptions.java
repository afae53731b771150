package dev.tailsampling.iceberg.maintenance;

import dev.tailsampling.iceberg.IcebergOptions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** Parameters of the {@code maintain} command, besides the catalog's. */
public final class MaintenanceOptions {

    public static final ConfigOption<Duration> RETENTION_SPANS = ConfigOptions.key("retention.spans")
            .durationType()
            .defaultValue(Duration.ofDays(7))
            .withDescription("How long kept spans stay; older hours are dropped whole.");

    public static final ConfigOption<Duration> RETENTION_TRACE_INDEX = ConfigOptions.key("retention.trace-index")
            .durationType()
            .defaultValue(Duration.ofDays(7))
            .withDescription("How long trace_index rows stay (as long as the spans they point at).");

    public static final ConfigOption<Duration> RETENTION_ATTRIBUTE_INDEX = ConfigOptions.key(
                    "retention.attribute-index")
            .durationType()
            .defaultValue(Duration.ofDays(7))
            .withDescription("How long attribute_index rows stay (as long as the spans they point at).");

    public static final ConfigOption<Duration> RETENTION_TRACE_SUMMARIES = ConfigOptions.key(
                    "retention.trace-summaries")
            .durationType()
            .defaultValue(Duration.ofDays(90))
            .withDescription("How long trace summaries stay.");

    public static final ConfigOption<Duration> RETENTION_SERVICE_METRICS = ConfigOptions.key(
                    "retention.service-metrics")
            .durationType()
            .defaultValue(Duration.ofDays(365))
            .withDescription("How long service metrics stay.");

    public static final ConfigOption<Duration> RETENTION_SERVICE_EDGES = ConfigOptions.key("retention.service-edges")
            .durationType()
            .defaultValue(Duration.ofDays(90))
            .withDescription("How long the service graph's rows stay (as long as trace summaries).");

    public static final ConfigOption<Duration> CLOSED_AFTER = ConfigOptions.key("maintenance.closed-after")
            .durationType()
            .defaultValue(Duration.ofHours(2))
            .withDescription("A partition is compacted once its end is this far in the past: longer than"
                    + " the decision cache TTL, so that late spans no longer land in it.");

    public static final ConfigOption<Duration> SNAPSHOT_AGE = ConfigOptions.key("maintenance.snapshot-age")
            .durationType()
            .defaultValue(Duration.ofDays(1))
            .withDescription("Snapshots older than this are expired (the current one always stays).");

    public static final ConfigOption<Duration> ORPHAN_AGE = ConfigOptions.key("maintenance.orphan-age")
            .durationType()
            .defaultValue(Duration.ofDays(3))
            .withDescription("Files no snapshot references are deleted once older than this; younger ones may"
                    + " belong to a commit in flight.");

    public static final ConfigOption<Duration> EVERY = ConfigOptions.key("maintenance.every")
            .durationType()
            .noDefaultValue()
            .withDescription("Run again after this long, until stopped; without it, run once.");

    /** The ages and retentions, each with a default. */
    public static final List<ConfigOption<Duration>> DURATIONS = List.of(
            RETENTION_SPANS,
            RETENTION_TRACE_INDEX,
            RETENTION_ATTRIBUTE_INDEX,
            RETENTION_TRACE_SUMMARIES,
            RETENTION_SERVICE_METRICS,
            RETENTION_SERVICE_EDGES,
            CLOSED_AFTER,
            SNAPSHOT_AGE,
            ORPHAN_AGE);

    /** Every parameter of the command, the catalog's first. */
    public static final List<ConfigOption<?>> ALL = Stream.<List<? extends ConfigOption<?>>>of(
                    IcebergOptions.ALL, DURATIONS, List.of(EVERY))
            .flatMap(List::stream)
            .collect(Collectors.toUnmodifiableList());

    private MaintenanceOptions() {}
}

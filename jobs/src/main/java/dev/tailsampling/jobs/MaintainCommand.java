package dev.tailsampling.jobs;

import dev.tailsampling.iceberg.IcebergCatalogConf;
import dev.tailsampling.iceberg.maintenance.MaintenanceOptions;
import dev.tailsampling.iceberg.maintenance.WarehouseMaintenance;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

/**
 * {@code maintain [--retention.* D] [--maintenance.* D] [--iceberg.* ...]}: one pass of {@link
 * WarehouseMaintenance} over the tables, or one every {@code --maintenance.every} until stopped,
 * printing what each pass did.
 */
final class MaintainCommand {
    static final Command COMMAND = new Command(
            "maintain",
            "retention, compaction, snapshot expiry and orphan cleanup of the tables",
            usage(),
            MaintainCommand::run);

    /** The command's parameters, checked. */
    record Parameters(IcebergCatalogConf catalog, WarehouseMaintenance.Settings settings, Duration every) {

        /** From {@code --name value} pairs; a bad or unknown parameter throws, naming it. */
        static Parameters parse(String... args) {
            Map<String, String> params = JobParameters.parse(args);
            JobParameters.rejectUnknown(params, MaintenanceOptions.ALL);
            Configuration config = Configuration.fromMap(params);
            MaintenanceOptions.DURATIONS.forEach(option -> JobParameters.positive(config, option));
            return new Parameters(
                    JobParameters.catalog(params),
                    WarehouseMaintenance.Settings.from(config),
                    JobParameters.positiveOr(config, MaintenanceOptions.EVERY, null));
        }
    }

    private MaintainCommand() {}

    /** The command's parameters with their defaults. */
    static String usage() {
        StringBuilder usage = new StringBuilder("usage: maintain");
        for (ConfigOption<?> option : MaintenanceOptions.ALL) {
            Object value = option.hasDefaultValue() ? option.defaultValue() : "VALUE";
            usage.append(" [--")
                    .append(option.key())
                    .append(' ')
                    .append(value instanceof Duration d ? shortly(d) : value)
                    .append(']');
        }
        return usage.append(" [--iceberg.catalog.KEY VALUE]").toString();
    }

    /** A duration as the parameters take it: 7d, 2h, 30min, 10s. */
    private static String shortly(Duration d) {
        if (d.toDays() > 0 && d.equals(Duration.ofDays(d.toDays()))) {
            return d.toDays() + "d";
        }
        if (d.toHours() > 0 && d.equals(Duration.ofHours(d.toHours()))) {
            return d.toHours() + "h";
        }
        if (d.toMinutes() > 0 && d.equals(Duration.ofMinutes(d.toMinutes()))) {
            return d.toMinutes() + "min";
        }
        return d.toSeconds() + "s";
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Parameters parameters;
        try {
            parameters = Parameters.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("maintain: " + e.getMessage());
            return 2;
        }
        WarehouseMaintenance maintenance =
                new WarehouseMaintenance(parameters.catalog(), parameters.settings(), Clock.systemUTC());
        while (true) {
            try {
                maintenance.runOnce().forEach(out::println);
            } catch (RuntimeException e) {
                err.println("maintain: on the " + parameters.catalog().describe() + ": " + Cli.oneLine(e));
                return 1;
            }
            if (parameters.every() == null) {
                return 0;
            }
            try {
                Thread.sleep(parameters.every().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 0;
            }
        }
    }
}

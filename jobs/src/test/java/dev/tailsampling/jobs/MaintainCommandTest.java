package dev.tailsampling.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tailsampling.iceberg.IcebergCatalogConf;
import dev.tailsampling.iceberg.ServiceMetricsTable;
import dev.tailsampling.iceberg.SpansTable;
import dev.tailsampling.iceberg.TableWrites;
import dev.tailsampling.iceberg.TraceSummariesTable;
import dev.tailsampling.sampling.metrics.OperationMinute;
import dev.tailsampling.sampling.metrics.OperationSample;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The maintain command's parameters (what a pass does is {@code WarehouseMaintenanceTest}'s), and
 * the tables command that tells whether a pass is due.
 */
class MaintainCommandTest {

    @Test
    void aBadParameterStopsTheCommandNamingIt() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = MaintainCommand.run(
                new String[] {"--retention.spans", "0s"},
                System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(status).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("maintain: --retention.spans must be a positive duration");
        assertThatThrownBy(() -> MaintainCommand.Parameters.parse("--maintenance.every", "soon"))
                .hasMessageContaining("--maintenance.every: 'soon' is not valid");
        assertThatThrownBy(() -> MaintainCommand.Parameters.parse("--retention.everything", "1d"))
                .hasMessageContaining("unknown parameter --retention.everything");
    }

    @Test
    void parametersOverrideTheDefaultsTheUsageShows() {
        MaintainCommand.Parameters parameters =
                MaintainCommand.Parameters.parse("--retention.spans", "2d", "--maintenance.every", "1h");
        assertThat(parameters.settings().retention())
                .containsEntry(SpansTable.NAME, Duration.ofDays(2))
                .containsEntry(TraceSummariesTable.NAME, Duration.ofDays(90));
        assertThat(parameters.every()).isEqualTo(Duration.ofHours(1));
        assertThat(MaintainCommand.Parameters.parse().every()).isNull();
        assertThat(MaintainCommand.usage())
                .contains("[--retention.spans 7d]")
                .contains("[--retention.trace-summaries 90d]")
                .contains("[--maintenance.closed-after 2h]");
    }

    @Test
    void theTablesCommandPrintsEachTablesFilesAndPartitions(@TempDir Path warehouse) {
        IcebergCatalogConf catalog =
                IcebergCatalogConf.localWarehouse(warehouse.toUri().toString());
        Table metrics = catalog.createTableIfMissing(ServiceMetricsTable.TABLE);
        for (int commit = 0; commit < 3; commit++) {
            OperationSample.Collector samples = new OperationSample.Collector();
            samples.add("checkout", "POST /checkout", "SERVER", 1_767_225_600_000_000_000L, 2_000_000L, false, 1.0);
            OperationSample sample = samples.drain().get(0);
            OperationMinute minute = OperationMinute.startedBy(sample);
            minute.add(sample);
            TableWrites.append(metrics, ServiceMetricsTable.TABLE, ServiceMetricsTable.COLUMNS.rows(), List.of(minute));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        int status = TablesCommand.run(
                new String[] {"--iceberg.warehouse", warehouse.toUri().toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8),
                System.err);

        assertThat(status).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("service_metrics: 3 data files in 1 partition,")
                .contains("3 in the fullest partition")
                .contains("spans: not created yet");
        assertThat(TablesCommand.run(new String[] {"--iceberg.warehous", "x"}, System.out, System.err))
                .isEqualTo(2);
    }
}

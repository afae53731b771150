package dev.tailsampling.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tailsampling.iceberg.SpansTable;
import dev.tailsampling.iceberg.TraceSummariesTable;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The maintain command's parameters; what a pass does is {@code WarehouseMaintenanceTest}'s. */
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
}

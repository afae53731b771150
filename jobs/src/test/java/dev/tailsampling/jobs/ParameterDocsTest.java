package dev.tailsampling.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.controller.ControllerOptions;
import dev.tailsampling.iceberg.IcebergOptions;
import dev.tailsampling.iceberg.maintenance.MaintenanceOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.util.TimeUtils;
import org.junit.jupiter.api.Test;

/**
 * The parameter tables of the docs against the declared options, so that neither drifts: every
 * declared parameter has a row, every row names a declared parameter (or a documented pass-through
 * prefix), and the default a row gives is the declared default.
 */
class ParameterDocsTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    /** A table row: the parameters (several on one row), the default cell. */
    private static final Pattern ROW = Pattern.compile("^\\| ((?:`--[^`]+`(?: \\([^)]*\\))?,? ?)+) \\|([^|]*)\\|");
    /** A parameter in a row, with its own default in parentheses where a row holds several. */
    private static final Pattern PARAMETER = Pattern.compile("`--([^`]+)`(?: \\((`[^`]+`)\\))?");

    @Test
    void theJobParametersTableIsTheSamplingJobsOptions() throws IOException {
        Map<String, String> rows = rows(section(ROOT.resolve("README.md"), "## Job parameters"));
        assertDocumented(TailSamplingOptions.ALL, rows);
        assertThat(rows.keySet())
                .as("rows of README's job parameters that the job does not declare")
                .allMatch(key -> declared(TailSamplingOptions.ALL, key)
                        || key.equals("kafka.security.<property>")
                        || key.equals("iceberg.catalog.<property>"));
    }

    @Test
    void theControllerTableIsTheControllersOwnOptions() throws IOException {
        Map<String, String> rows = rows(section(ROOT.resolve("docs/controller.md"), "| parameter |"));
        assertDocumented(ControllerOptions.ALL, rows);
        assertThat(rows.keySet())
                .as("rows of the controller's parameters that it does not declare")
                .allMatch(key -> declared(ControllerConf.ALL, key) || key.endsWith(".*"));
    }

    @Test
    void theMaintainSectionNamesEveryMaintenanceOptionWithItsDefault() throws IOException {
        String section = section(ROOT.resolve("README.md"), "## Keeping the tables small");
        // The catalog's parameters are the jobs' own, documented with them.
        for (ConfigOption<?> option : MaintenanceOptions.ALL) {
            if (IcebergOptions.ALL.contains(option)) {
                continue;
            }
            Matcher mention = Pattern.compile("`--" + Pattern.quote(option.key()) + "`(?: \\(([^);]+))?")
                    .matcher(section);
            assertThat(mention.find())
                    .as("--%s in README's maintain section", option.key())
                    .isTrue();
            if (option.hasDefaultValue()) {
                assertThat(mention.group(1)).as("default of --%s", option.key()).isNotNull();
                assertSameValue(option, mention.group(1));
            }
        }
    }

    private static void assertDocumented(List<ConfigOption<?>> options, Map<String, String> rows) {
        for (ConfigOption<?> option : options) {
            assertThat(rows).as("a row for --%s", option.key()).containsKey(option.key());
            if (option.hasDefaultValue() && "".equals(option.defaultValue())) {
                assertThat(rows.get(option.key()))
                        .as("the empty default of --%s", option.key())
                        .isEmpty();
            } else if (option.hasDefaultValue()) {
                String cell = rows.get(option.key());
                Matcher first = Pattern.compile("`([^`]+)`").matcher(cell);
                assertThat(first.find())
                        .as("the default of --%s in '%s'", option.key(), cell)
                        .isTrue();
                assertSameValue(option, first.group(1));
            }
        }
    }

    /** The documented value means the declared default, in the option's own type. */
    private static void assertSameValue(ConfigOption<?> option, String documented) {
        Object declared = option.defaultValue();
        Object read;
        if (declared instanceof Duration) {
            read = TimeUtils.parseDuration(documented);
        } else if (declared instanceof MemorySize) {
            read = MemorySize.parse(documented);
        } else if (declared instanceof Double) {
            read = Double.parseDouble(documented);
        } else if (declared instanceof Integer) {
            read = Integer.parseInt(documented);
        } else if (declared instanceof Long) {
            read = Long.parseLong(documented);
        } else if (declared instanceof Boolean) {
            read = Boolean.parseBoolean(documented);
        } else {
            read = documented;
        }
        assertThat(read).as("the documented default of --%s", option.key()).isEqualTo(declared);
    }

    private static boolean declared(List<ConfigOption<?>> options, String key) {
        return options.stream().anyMatch(o -> o.key().equals(key));
    }

    /** The text from the line that starts with {@code heading} to the next heading. */
    private static String section(Path file, String heading) throws IOException {
        String text = Files.readString(file);
        int start = text.indexOf("\n" + heading);
        assertThat(start).as("%s in %s", heading, file).isNotNegative();
        int end = text.indexOf("\n#", start + 1);
        return text.substring(start, end < 0 ? text.length() : end);
    }

    /** Each parameter of the section's table rows, with its row's default cell. */
    private static Map<String, String> rows(String section) {
        Map<String, String> rows = new LinkedHashMap<>();
        for (String line : section.split("\n")) {
            Matcher row = ROW.matcher(line);
            if (row.find()) {
                Matcher parameter = PARAMETER.matcher(row.group(1));
                while (parameter.find()) {
                    rows.put(
                            parameter.group(1),
                            parameter.group(2) != null
                                    ? parameter.group(2)
                                    : row.group(2).trim());
                }
            }
        }
        return rows;
    }
}

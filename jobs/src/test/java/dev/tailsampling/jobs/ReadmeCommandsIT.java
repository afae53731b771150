package dev.tailsampling.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.iceberg.IcebergCatalogConf;
import dev.tailsampling.jobs.query.JaegerContract;
import dev.tailsampling.jobs.warehouse.GeneratedWarehouse;
import dev.tailsampling.local.cluster.EmbeddedKafka;
import dev.tailsampling.operators.otlp.OtlpTestData;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command line of the README that starts the command-line tool, run as a user types it: in a
 * shell, from the repository's root, against the tool the build made, a fresh JVM each, with a real
 * Kafka broker (in this JVM), a warehouse written with the job's own writers, the example policy
 * file and a recorded OTLP file. The README's placeholders ({@code kafka:9092}, {@code
 * /path/to/warehouse}, the example trace id and user, {@code policies.yaml}, {@code traces.jsonl}) are
 * filled in, and optional {@code [...]} parts left out, so that the README stays readable.
 */
class ReadmeCommandsIT {
    private static final String TOOL = "jobs/target/tail-sampling/bin/tail-sampling";
    private static final String TOOL_JAR = "java -jar jobs/target/tail-sampling/tail-sampling.jar";
    private static final Path ROOT =
            Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();
    private static final long TIMEOUT_SECONDS = 300;

    private static EmbeddedKafka kafka;

    @TempDir
    static Path temp;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start();
        kafka.createTopic("sampling_rates", 1, Map.of("cleanup.policy", "compact"));
        kafka.createTopic("otlp_spans", 1, Map.of());
        kafka.createTopic("otlp_spans_dlq", 1, Map.of());
        kafka.createTopic("sampling_stats", 1, Map.of());
    }

    @AfterAll
    static void stopKafka() throws Exception {
        kafka.close();
    }

    /** A command's exit status and what it printed. */
    record Result(int status, String out, String err) {}

    private static Result shell(String line) throws Exception {
        Path out = Files.createTempFile(temp, "out", ".txt");
        Path err = Files.createTempFile(temp, "err", ".txt");
        Process process = new ProcessBuilder("bash", "-c", line)
                .directory(ROOT.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("hung for " + TIMEOUT_SECONDS + " s: " + line);
        }
        return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** The README's command lines for the tool, continuation lines joined. */
    static List<String> readmeCommands() throws Exception {
        List<String> commands = new ArrayList<>();
        boolean inBlock = false;
        StringBuilder pending = new StringBuilder();
        for (String line : Files.readAllLines(ROOT.resolve("README.md"), StandardCharsets.UTF_8)) {
            if (line.startsWith("```")) {
                inBlock = !inBlock;
                continue;
            }
            if (!inBlock) {
                continue;
            }
            pending.append(line.strip());
            if (line.endsWith("\\")) {
                pending.setLength(pending.length() - 1);
                continue;
            }
            String command = pending.toString().strip();
            pending.setLength(0);
            if (command.startsWith(TOOL) || command.startsWith(TOOL_JAR)) {
                commands.add(command);
            }
        }
        return commands;
    }

    @Test
    void everyCommandLineOfTheReadmeRunsAsWritten() throws Exception {
        Path warehouse = temp.resolve("warehouse");
        GeneratedWarehouse.Truth truth = GeneratedWarehouse.write(
                IcebergCatalogConf.localWarehouse(warehouse.toUri().toString()),
                new GeneratedWarehouse.Spec(300, 2, 4, 2, 0.2, 7),
                Instant.now(),
                List.of());
        Path traces = temp.resolve("traces.jsonl");
        Files.writeString(traces, recordedTrace());
        Path policies = ROOT.resolve("examples/hybrid-sampling.yaml");

        List<String> commands = readmeCommands();
        assertThat(commands)
                .as("the README's tool commands")
                .anyMatch(c -> c.contains(" dry-run "))
                .anyMatch(c -> c.contains(" replay "))
                .anyMatch(c -> c.contains(" shadow report "))
                .anyMatch(c -> c.contains(" rates set "))
                .anyMatch(c -> c.contains(" rates show "))
                .anyMatch(c -> c.contains(" trace "))
                .anyMatch(c -> c.contains(" serve "))
                .anyMatch(c -> c.contains(" sql "))
                .anyMatch(c -> c.contains(" maintain "))
                .anyMatch(c -> c.contains(" dead-letters show "))
                .anyMatch(c -> c.contains(" dead-letters replay "))
                .anyMatch(c -> c.startsWith(TOOL_JAR) && c.endsWith(" --help"));
        String user = truth.keptRoots.stream()
                .map(GeneratedWarehouse.Root::userId)
                .filter(Objects::nonNull)
                .findFirst()
                .orElseThrow();
        for (String command : commands) {
            String line = command.replaceAll("\\s*\\[[^\\]]*]", "")
                    .replace("kafka:9092", kafka.bootstrapServers())
                    .replace("/path/to/warehouse", warehouse.toString())
                    .replace("0af7651916cd43dd8448eb211c80319c", truth.keptTraceIds.get(0))
                    .replace("user.id=4711", "user.id=" + user)
                    .replace(" policies.yaml", " " + policies)
                    .replace(" traces.jsonl", " " + traces);
            if (command.contains(" serve ")) {
                assertServes(line, truth.keptTraceIds.get(0));
                continue;
            }
            Result result = shell(line);
            assertThat(result.status())
                    .as("%s%nstdout:%n%s%nstderr:%n%s", line, result.out(), result.err())
                    .isZero();
            assertThat(result.out()).as(line).isNotBlank();
            if (command.contains(" rates show ")) {
                assertThat(result.out())
                        .as("the override the README sets first")
                        .contains("checkout");
            }
        }
    }

    @Test
    void helpListsEveryCommandAndMistakesAnswerInOneLine() throws Exception {
        Result help = shell(TOOL + " --help");
        assertThat(help.status()).isZero();
        Cli.COMMANDS.keySet().forEach(name -> assertThat(help.out()).contains(name));
        assertThat(shell(TOOL_JAR + " --help").out()).isEqualTo(help.out());
        for (String name : Cli.COMMANDS.keySet()) {
            Result commandHelp = shell(TOOL + " " + name + " --help");
            assertThat(commandHelp.status()).as(name).isZero();
            assertThat(commandHelp.out()).as(name).contains("usage: " + name);
        }
        Result none = shell(TOOL);
        assertThat(none.status()).isZero();
        assertThat(none.out()).isEqualTo(help.out());

        Result unknown = shell(TOOL + " frobnicate");
        assertThat(unknown.status()).isEqualTo(2);
        assertThat(unknown.err().strip()).doesNotContain("\n").contains("frobnicate");

        Result badArgument = shell(TOOL + " rates set checkout lots");
        assertThat(badArgument.status()).isEqualTo(2);
        assertThat(badArgument.err()).contains("RATE must be a number").doesNotContain("Exception");

        long start = System.nanoTime();
        Result unreachable = shell(TOOL + " rates show --kafka.bootstrap-servers 127.0.0.1:1");
        assertThat(unreachable.status()).isEqualTo(1);
        assertThat(unreachable.err().strip()).doesNotContain("\n").contains("127.0.0.1:1");
        assertThat(unreachable.out()).isEmpty();
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start))
                .as("bounded")
                .isLessThan(TIMEOUT_SECONDS);

        Result noCatalog = shell(TOOL + " trace 0af7651916cd43dd8448eb211c80319c --iceberg.catalog-type rest"
                + " --iceberg.catalog.uri http://127.0.0.1:1");
        assertThat(noCatalog.status()).isEqualTo(1);
        assertThat(noCatalog.err().strip()).doesNotContain("\n").contains("127.0.0.1:1");
    }

    /**
     * Starts the README's {@code serve} line on a free port, waits for the line saying where it
     * serves, asks it for a kept trace in both APIs and stops it as a user would (a signal).
     */
    private static void assertServes(String line, String traceId) throws Exception {
        int port = JobTestSupport.freePort();
        Path out = Files.createTempFile(temp, "serve", ".txt");
        Process process = new ProcessBuilder("bash", "-c", "exec " + line + " --serve.port " + port)
                .directory(ROOT.toFile())
                .redirectOutput(out.toFile())
                .redirectErrorStream(true)
                .start();
        try {
            JobTestSupport.awaitServing(process, out, Duration.ofSeconds(TIMEOUT_SECONDS));
            URI server = URI.create("http://localhost:" + port + "/");
            for (String path : List.of("api/v3/traces/", "api/traces/")) {
                assertThat(JaegerContract.get(server, path + traceId, 200).toString())
                        .contains(traceId);
            }
        } finally {
            JobTestSupport.stop(process);
        }
    }

    /** One recorded request in OTLP/JSON, as the collector's file exporter writes it. */
    private static String recordedTrace() {
        long start = OtlpTestData.T0;
        return "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\","
                + "\"value\":{\"stringValue\":\"checkout\"}}]},\"scopeSpans\":[{\"scope\":{\"name\":\"shop\"},"
                + "\"spans\":[{\"traceId\":\"5b8efff798038103d269b633813fc60c\",\"spanId\":\"eee19b7ec3c1b174\","
                + "\"name\":\"POST /orders\",\"kind\":2,\"startTimeUnixNano\":\"" + start + "\","
                + "\"endTimeUnixNano\":\"" + (start + 1_500_000_000L) + "\",\"status\":{\"code\":2}}]}]}]}\n";
    }
}

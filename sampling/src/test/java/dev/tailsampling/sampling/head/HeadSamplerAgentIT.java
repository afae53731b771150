package dev.tailsampling.sampling.head;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged extension jar in the real OpenTelemetry Java agent: an application that uses only
 * the OpenTelemetry API gets the head sampler of a rules file from two system properties.
 */
class HeadSamplerAgentIT {
    private static final int OTHERS = 2_000;

    @TempDir
    Path temp;

    @Test
    void theAgentLoadsTheHeadSamplerFromTheExtensionJar() throws Exception {
        Path agent = Path.of(System.getProperty("agent.jar"));
        Path extension = Path.of(System.getProperty("agent.extension"));
        assertThat(agent).exists();
        assertThat(extension).exists();
        // The application's own class path: its classes and the OpenTelemetry API, nothing of ours.
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> entry.endsWith("test-classes")
                        || entry.matches(".*opentelemetry-(api|context|common)-[0-9.]+\\.jar"))
                .collect(Collectors.joining(File.pathSeparator));
        Path out = temp.resolve("out.txt");
        Path err = temp.resolve("err.txt");
        Process app = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-javaagent:" + agent,
                        "-Dotel.javaagent.extensions=" + extension,
                        "-Dotel.traces.sampler=" + HeadSamplerProvider.NAME,
                        "-Dotel.traces.sampler.arg="
                                + Path.of("../examples/hybrid-sampling.yaml").toAbsolutePath(),
                        "-Dotel.traces.exporter=none",
                        "-Dotel.metrics.exporter=none",
                        "-Dotel.logs.exporter=none",
                        "-cp",
                        classPath,
                        AgentApp.class.getName(),
                        Integer.toString(OTHERS))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        assertThat(app.waitFor(2, TimeUnit.MINUTES)).as("the application ends").isTrue();
        String errors = Files.readString(err, StandardCharsets.UTF_8);
        assertThat(app.exitValue()).as(errors).isZero();

        List<String[]> spans = new ArrayList<>();
        for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
            if (line.startsWith("span ")) {
                spans.add(line.split(" "));
            }
        }
        assertThat(spans).as(errors).hasSize(OTHERS + 1);
        assertThat(spans.get(0))
                .as("the admin request, by the always-sample rule")
                .containsExactly("span", "/api/admin/users", "true", "th:0");
        List<String[]> sampled = spans.subList(1, spans.size()).stream()
                .filter(s -> s[2].equals("true"))
                .toList();
        assertThat(sampled).allSatisfy(s -> assertThat(s[3]).isEqualTo("th:e6666666666666"));
        // The file's 10 % base rate; 4 standard errors either side.
        assertThat(sampled.size()).isBetween(200 - 54, 200 + 54);
    }
}

package dev.tailsampling.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailsampling.iceberg.IcebergCatalogConf;
import dev.tailsampling.jobs.query.JaegerContract;
import dev.tailsampling.jobs.warehouse.GeneratedWarehouse;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job image without Docker: everything {@code k8s/image/Dockerfile} copies is there after the
 * build, and the image's {@code tail-sampling} script, as the maintenance CronJob runs it, works on
 * the job jar and Flink's libraries laid out as in the image (the command-line tool's Flink jars
 * standing in for the image's {@code lib/}).
 */
class JobImageIT {
    private static final Path ROOT =
            Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();

    @TempDir
    Path temp;

    @Test
    void everyFileTheImageCopiesIsBuilt() throws Exception {
        List<String> copied = copySources();
        assertThat(copied).hasSizeGreaterThanOrEqualTo(4);
        for (String source : copied) {
            Path path = ROOT.resolve(source);
            assertThat(path).as("COPY %s", source).exists();
            if (Files.isDirectory(path)) {
                try (var files = Files.list(path)) {
                    assertThat(files.toList()).as("COPY %s", source).isNotEmpty();
                }
            }
        }
        try (var usrlib = Files.list(ROOT.resolve("jobs/target/image/usrlib"))) {
            assertThat(usrlib.map(p -> p.getFileName().toString()).toList())
                    .anyMatch(n -> n.startsWith("iceberg-aws-bundle-"))
                    .anyMatch(n -> n.matches("iceberg-aws-\\d.*"));
        }
    }

    @Test
    void theImagesToolRunsMaintainAsTheCronJobDoes() throws Exception {
        Path flinkHome = imageLayout();
        Path warehouse = warehouse();
        ProcessBuilder maintain = tool(
                flinkHome,
                "maintain",
                "--maintenance.closed-after",
                "2h",
                "--iceberg.catalog-type",
                "hadoop",
                "--iceberg.warehouse",
                warehouse.toUri().toString());
        Process tool = maintain.start();
        assertThat(tool.waitFor(5, TimeUnit.MINUTES)).as("maintain ends").isTrue();
        String out = Files.readString(temp.resolve("out.txt"));
        assertThat(tool.exitValue())
                .as("stdout:%n%s%nstderr:%n%s", out, Files.readString(temp.resolve("err.txt")))
                .isZero();
        assertThat(out).contains("spans");
    }

    @Test
    void theImagesToolServesTheQueryApiAsTheDeploymentDoes() throws Exception {
        Path flinkHome = imageLayout();
        Path warehouse = warehouse();
        int port = JobTestSupport.freePort();
        Process serve = tool(
                        flinkHome,
                        "serve",
                        "--serve.port",
                        Integer.toString(port),
                        "--iceberg.warehouse",
                        warehouse.toUri().toString())
                .redirectErrorStream(true)
                .start();
        try {
            JobTestSupport.awaitServing(serve, temp.resolve("out.txt"), Duration.ofMinutes(2));
            JsonNode services =
                    JaegerContract.get(URI.create("http://localhost:" + port + "/"), "api/v3/services", 200);
            assertThat(services.toString()).startsWith("{\"services\":[\"");
        } finally {
            JobTestSupport.stop(serve);
        }
    }

    /**
     * Flink's home as the image lays it out: the tool's Flink jars (but not its Jetty) standing in
     * for the image's {@code lib/}, the job jar in {@code usrlib/}, the image's {@code tool-lib/}.
     */
    private Path imageLayout() throws Exception {
        Path flinkHome = temp.resolve("flink");
        Path lib = Files.createDirectories(flinkHome.resolve("lib"));
        Path usrlib = Files.createDirectories(flinkHome.resolve("usrlib"));
        Files.createDirectories(flinkHome.resolve("conf"));
        Files.writeString(
                flinkHome.resolve("conf/log4j-console.properties"),
                "rootLogger.level = WARN\nrootLogger.appenderRef.console.ref = Console\n"
                        + "appender.console.type = Console\nappender.console.name = Console\n"
                        + "appender.console.target = SYSTEM_ERR\nappender.console.layout.type = PatternLayout\n");
        try (var jars = Files.list(ROOT.resolve("jobs/target/tail-sampling/lib"))) {
            for (Path jar : jars.filter(j -> !j.getFileName().toString().startsWith("jobs-")
                            && !j.getFileName().toString().startsWith("jetty-"))
                    .toList()) {
                Files.createSymbolicLink(lib.resolve(jar.getFileName()), jar);
            }
        }
        Files.createSymbolicLink(
                usrlib.resolve("tail-sampling-job.jar"), ROOT.resolve("jobs/target/jobs-0.1.0-SNAPSHOT-job.jar"));
        Files.createSymbolicLink(flinkHome.resolve("tool-lib"), ROOT.resolve("jobs/target/image/tool-lib"));
        return flinkHome;
    }

    private Path warehouse() {
        Path warehouse = temp.resolve("warehouse");
        GeneratedWarehouse.write(
                IcebergCatalogConf.localWarehouse(warehouse.toUri().toString()),
                new GeneratedWarehouse.Spec(50, 2, 2, 1, 0.2, 3),
                Instant.now(),
                List.of());
        return warehouse;
    }

    /** The image's tool with these arguments, its output in out.txt and err.txt. */
    private ProcessBuilder tool(Path flinkHome, String... args) {
        List<String> command = new ArrayList<>();
        command.add(ROOT.resolve("k8s/image/tail-sampling").toString());
        command.addAll(List.of(args));
        ProcessBuilder tool = new ProcessBuilder(command)
                .redirectError(temp.resolve("err.txt").toFile())
                .redirectOutput(temp.resolve("out.txt").toFile());
        tool.environment().put("FLINK_HOME", flinkHome.toString());
        return tool;
    }

    /** The source of each COPY instruction of the Dockerfile, relative to the project's root. */
    private static List<String> copySources() throws Exception {
        List<String> sources = new ArrayList<>();
        for (String line : Files.readAllLines(ROOT.resolve("k8s/image/Dockerfile"), StandardCharsets.UTF_8)) {
            if (line.startsWith("COPY ")) {
                String[] words = line.substring(5).strip().split("\\s+");
                for (int i = 0; i < words.length - 1; i++) {
                    sources.add(words[i]);
                }
            }
        }
        return sources;
    }
}

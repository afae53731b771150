package dev.tailsampling.spark;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reads the tables the job wrote through Iceberg's REST catalog server (the jobs module's
 * TailSamplingJobITCase) through the same kind of server over the same folder, as Trino or any
 * other engine would: Spark SQL must give the rows Flink SQL gave. The server runs in a JVM of its
 * own, on the jobs module's test class path, so that its Iceberg never meets Spark's.
 */
class SparkRestCatalogTest {
    private static final Path JOBS = Paths.get("..").toAbsolutePath().normalize();

    private static JsonNode answers;
    private static Process server;
    private static SparkSession spark;

    @BeforeAll
    static void start() throws Exception {
        answers = SparkRows.answers(JOBS.resolve("target/job-answers.json"));
        assertThat(answers.at("/catalog/type").asText()).isEqualTo("rest");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String classPath = String.join(
                java.io.File.pathSeparator,
                JOBS.resolve("target/test-classes").toString(),
                JOBS.resolve("target/classes").toString(),
                Files.readString(JOBS.resolve("target/test-classpath.txt")).trim());
        server = new ProcessBuilder(
                        Paths.get(System.getProperty("java.home"), "bin", "java")
                                .toString(),
                        "-cp",
                        classPath,
                        "dev.tailsampling.jobs.RestCatalogServer",
                        Paths.get(java.net.URI.create(
                                        answers.at("/catalog/warehouse").asText()))
                                .toString(),
                        String.valueOf(port))
                .redirectErrorStream(true)
                .start();
        BufferedReader output =
                new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        List<String> lines = new ArrayList<>();
        for (String line = output.readLine(); !"ready".equals(line); line = output.readLine()) {
            assertThat(line)
                    .as("the REST catalog server ended before it was ready: " + lines)
                    .isNotNull();
            lines.add(line);
        }
        // Its later log lines must not fill the pipe and stall it.
        Thread drain = new Thread(() -> output.lines().forEach(line -> {}));
        drain.setDaemon(true);
        drain.start();
        spark = SparkRows.session(Map.of("type", "rest", "uri", "http://localhost:" + port + "/"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (spark != null) {
            spark.stop();
        }
        if (server != null) {
            server.getOutputStream().close();
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    @Test
    void sparkReadsWhatTheJobWroteThroughTheRestCatalog() {
        int checked = 0;
        Iterator<Map.Entry<String, JsonNode>> questions = answers.get("rows").fields();
        while (questions.hasNext()) {
            Map.Entry<String, JsonNode> question = questions.next();
            assertThat(SparkRows.rows(spark, question.getKey()))
                    .as(question.getKey())
                    .isEqualTo(SparkRows.expected(question.getValue()));
            checked++;
        }
        assertThat(checked).isEqualTo(4);
    }
}

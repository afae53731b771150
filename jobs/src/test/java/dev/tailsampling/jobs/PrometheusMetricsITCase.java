package dev.tailsampling.jobs;

import static dev.tailsampling.jobs.JobTestSupport.errorTrace;
import static dev.tailsampling.jobs.JobTestSupport.plainTrace;
import static dev.tailsampling.jobs.KubernetesManifests.K8S;
import static dev.tailsampling.jobs.KubernetesManifests.YAML;
import static dev.tailsampling.jobs.KubernetesManifests.onPath;
import static dev.tailsampling.jobs.KubernetesManifests.requireInCi;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailsampling.local.cluster.EmbeddedKafka;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job on a mini cluster with Flink's Prometheus reporter, scraped by a real Prometheus server
 * (Debian's {@code prometheus}), and every PromQL expression of the shipped dashboard and alert
 * rules evaluated there: each must return series, so a metric renamed in the job, or misspelt in
 * an expression, fails here rather than on an operator's empty panel.
 */
class PrometheusMetricsITCase {
    private static final int REPORTER_PORT = JobTestSupport.freePort();
    /**
     * An alert's operand without its threshold, so that it returns series on a healthy job (its
     * operands, split at {@code and}, {@code or} and {@code unless}, are evaluated one by one).
     */
    private static final Pattern THRESHOLD =
            Pattern.compile("^(.*?)\\s*(>|<|>=|<=|==|!=)\\s*[0-9.e+]+\\s*$", Pattern.DOTALL);

    @RegisterExtension
    static final MiniClusterExtension FLINK = JobTestSupport.miniCluster(reporter());

    private static EmbeddedKafka kafka;

    @TempDir
    Path temp;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = JobTestSupport.kafkaWithJobTopics(1);
    }

    @AfterAll
    static void stopKafka() throws Exception {
        kafka.close();
    }

    private static Configuration reporter() {
        Configuration config = new Configuration();
        config.setString(
                "metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        config.setString("metrics.reporter.prom.port", Integer.toString(REPORTER_PORT));
        return config;
    }

    @Test
    void everyDashboardAndAlertExpressionReturnsSeries() throws Exception {
        requireInCi(onPath("prometheus"), "prometheus is not on the PATH (Debian's prometheus package has it)");
        Map<String, String> expressions = shippedExpressions();
        assertThat(expressions).hasSizeGreaterThan(10);

        TailSamplingConf conf = JobTestSupport.withinSeconds(
                temp.resolve("warehouse"),
                "kafka.bootstrap-servers",
                kafka.bootstrapServers(),
                "sampling.decision-wait",
                "2s");
        // The sampler's RocksDB metrics as its FlinkDeployment turns them on.
        Map<String, String> rocksDbMetrics = new LinkedHashMap<>();
        KubernetesManifests.named(KubernetesManifests.render("local"), "FlinkDeployment", "tail-sampler")
                .at("/spec/flinkConfiguration")
                .fields()
                .forEachRemaining(e -> {
                    if (e.getKey().startsWith("state.backend.rocksdb.metrics.")) {
                        rocksDbMetrics.put(e.getKey(), e.getValue().asText());
                    }
                });
        assertThat(rocksDbMetrics).containsEntry("state.backend.rocksdb.metrics.estimate-live-data-size", "true");
        JobClient job = JobTestSupport.start(conf, 1, flink -> rocksDbMetrics.forEach(flink::setString));
        ByteArrayOutputStream ignored = new ByteArrayOutputStream();
        RatesCommand.run(
                new String[] {
                    "set", "checkout", "0.5", "--ttl", "1h", "--kafka.bootstrap-servers", kafka.bootstrapServers()
                },
                new PrintStream(ignored),
                new PrintStream(ignored));
        Process prometheus = startPrometheus();
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(kafka.clientProperties(), new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>("otlp_spans", "not an OTLP request".getBytes(StandardCharsets.UTF_8)));
            HttpClient http = HttpClient.newHttpClient();
            Map<String, String> empty = new LinkedHashMap<>(expressions);
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            int trace = 0;
            while (!empty.isEmpty() && System.nanoTime() < deadline) {
                // Traffic all along, so that rates over the last minute have something to see.
                for (int i = 0; i < 20; i++, trace++) {
                    String id = String.format("%032x", 0x5eed0000L + trace);
                    byte[] record = trace % 5 == 0
                            ? errorTrace(
                                    id, String.format("%016x", 2L * trace + 1), String.format("%016x", 2L * trace + 2))
                            : plainTrace(id, String.format("%016x", 2L * trace + 1));
                    producer.send(new ProducerRecord<>("otlp_spans", record));
                }
                producer.flush();
                empty.entrySet()
                        .removeIf(e -> !series(http, apiPort, e.getValue()).isEmpty());
                assertThat(job.getJobStatus().get().isGloballyTerminalState()).isFalse();
                Thread.sleep(1_000);
            }
            assertThat(empty)
                    .as("expressions without series; the metrics Prometheus has: %s", metricNames(http, apiPort))
                    .isEmpty();
        } finally {
            prometheus.destroy();
            prometheus.waitFor(30, TimeUnit.SECONDS);
            job.cancel().get(1, TimeUnit.MINUTES);
            // Its writers stop with the job, not with the cancel call, and the folder goes after this.
            while (!job.getJobStatus().get().isGloballyTerminalState()) {
                Thread.sleep(100);
            }
        }
    }

    private int apiPort;

    /** A Prometheus server scraping the mini cluster's reporter every second, with the alert rules loaded. */
    private Process startPrometheus() throws IOException {
        apiPort = JobTestSupport.freePort();
        Path config = temp.resolve("prometheus.yml");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "global: {scrape_interval: 1s, evaluation_interval: 1s}",
                        "rule_files: [" + K8S.resolve("prometheus/alerts.yaml").toAbsolutePath() + "]",
                        "scrape_configs:",
                        "  - job_name: flink",
                        "    static_configs: [{targets: ['127.0.0.1:" + REPORTER_PORT + "']}]",
                        ""));
        return new ProcessBuilder(
                        "prometheus",
                        "--config.file=" + config,
                        "--storage.tsdb.path=" + temp.resolve("tsdb"),
                        "--web.listen-address=127.0.0.1:" + apiPort,
                        "--log.level=warn")
                .redirectErrorStream(true)
                .redirectOutput(temp.resolve("prometheus.log").toFile())
                .start();
    }

    /** Each PromQL expression of the dashboards and the alert rules, by where it is. */
    static Map<String, String> shippedExpressions() throws IOException {
        Map<String, String> expressions = new LinkedHashMap<>();
        try (var dashboards = Files.list(K8S.resolve("dashboards"))) {
            for (Path file : dashboards
                    .filter(f -> f.toString().endsWith(".json"))
                    .sorted()
                    .toList()) {
                JsonNode dashboard = new ObjectMapper().readTree(file.toFile());
                for (JsonNode panel : dashboard.path("panels")) {
                    for (JsonNode target : panel.path("targets")) {
                        expressions.put(
                                file.getFileName() + ": " + panel.path("title").asText() + " "
                                        + target.path("refId").asText(),
                                target.path("expr").asText());
                    }
                }
            }
        }
        for (JsonNode group :
                YAML.readTree(K8S.resolve("prometheus/alerts.yaml").toFile()).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                String[] operands = rule.path("expr").asText().strip().split("\\s+(and|or|unless)\\s+");
                for (int i = 0; i < operands.length; i++) {
                    Matcher threshold = THRESHOLD.matcher(operands[i]);
                    expressions.put(
                            "alert " + rule.path("alert").asText() + " operand " + (i + 1),
                            threshold.matches() ? threshold.group(1) : operands[i]);
                }
            }
        }
        expressions.values().forEach(e -> assertThat(e).isNotBlank());
        return expressions;
    }

    private static List<JsonNode> series(HttpClient http, int port, String expression) {
        JsonNode answer =
                get(http, port, "/api/v1/query?query=" + URLEncoder.encode(expression, StandardCharsets.UTF_8));
        assertThat(answer.path("status").asText())
                .as(expression + ": " + answer)
                .isEqualTo("success");
        List<JsonNode> out = new ArrayList<>();
        answer.at("/data/result").forEach(out::add);
        return out;
    }

    private static TreeSet<String> metricNames(HttpClient http, int port) {
        TreeSet<String> names = new TreeSet<>();
        get(http, port, "/api/v1/label/__name__/values").path("data").forEach(n -> names.add(n.asText()));
        return names;
    }

    private static JsonNode get(HttpClient http, int port, String path) {
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return new ObjectMapper().readTree(response.body());
        } catch (IOException e) {
            // Prometheus still starting.
            return new ObjectMapper()
                    .createObjectNode()
                    .put("status", "success")
                    .set("data", null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

package dev.tailsampling.jobs;

import static dev.tailsampling.jobs.JobTestSupport.committedRows;
import static dev.tailsampling.jobs.JobTestSupport.filesContaining;
import static dev.tailsampling.jobs.JobTestSupport.header;
import static dev.tailsampling.jobs.JobTestSupport.records;
import static dev.tailsampling.jobs.JobTestSupport.start;
import static dev.tailsampling.jobs.JobTestSupport.waitUntil;
import static dev.tailsampling.operators.otlp.OtlpTestData.attr;
import static dev.tailsampling.operators.otlp.OtlpTestData.error;
import static dev.tailsampling.operators.otlp.OtlpTestData.id;
import static dev.tailsampling.operators.otlp.OtlpTestData.request;
import static dev.tailsampling.operators.otlp.OtlpTestData.resourceSpans;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.iceberg.WarehouseSql;
import dev.tailsampling.local.cluster.EmbeddedKafka;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.Table;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Personal data named by redaction rules reaches no table, checkpoint or dead letter. Secrets
 * reach the Kafka clients and the catalog through placeholders ({@code ${file:..}}), and leak
 * nowhere: a sentinel secret is in no log line (at INFO), no exception, no configuration the Flink
 * REST API shows, no checkpoint file and no table file. That the placeholders are resolved at all
 * is shown by two settings the job cannot run without: a Kafka fetch size and the catalog's file
 * IO class, both read from the same secrets file.
 */
class SecretsAndRedactionITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK = JobTestSupport.miniCluster();

    private static EmbeddedKafka kafka;

    @TempDir
    Path temp;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start();
        kafka.createTopic("otlp_spans", 1, Map.of());
        kafka.createTopic("redacted_spans", 1, Map.of());
        kafka.createTopic("redacted_spans_dlq", 1, Map.of());
    }

    @AfterAll
    static void stopKafka() throws Exception {
        kafka.close();
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aSecretGivenAsAPlaceholderIsUsedAndShownNowhere() throws Exception {
        String sentinel = "sentinel-" + UUID.randomUUID();
        Path secrets = Files.writeString(
                temp.resolve("secrets.properties"),
                String.join(
                        "\n",
                        "jaas=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"svc\" password=\""
                                + sentinel + "\";",
                        "fetch=1048576",
                        "token=" + sentinel,
                        "io=org.apache.iceberg.hadoop.HadoopFileIO",
                        ""));
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        long start = System.currentTimeMillis() * 1_000_000L;
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(kafka.clientProperties(), new ByteArraySerializer(), new ByteArraySerializer())) {
            Span.Builder span = Span.newBuilder()
                    .setTraceId(id(traceId))
                    .setSpanId(id("00f067aa0ba902b7"))
                    .setName("GET /")
                    .setStartTimeUnixNano(start)
                    .setEndTimeUnixNano(start + 1_000_000L);
            producer.send(new ProducerRecord<>(
                            "otlp_spans",
                            request(resourceSpans("frontend", error(span))).toByteArray()))
                    .get();
        }

        StringWriter logs = new StringWriter();
        WriterAppender appender = captureLogs(logs);
        Path checkpoints = temp.resolve("checkpoints");
        Path warehouse = temp.resolve("warehouse");
        try {
            Map<String, String> params = new HashMap<>();
            params.put("kafka.bootstrap-servers", kafka.bootstrapServers());
            params.put("kafka.security.config.providers", "file");
            params.put(
                    "kafka.security.config.providers.file.class",
                    "org.apache.kafka.common.config.provider.FileConfigProvider");
            params.put("kafka.security.sasl.jaas.config", "${file:" + secrets + ":jaas}");
            params.put("kafka.security.max.partition.fetch.bytes", "${file:" + secrets + ":fetch}");
            params.put("iceberg.warehouse", warehouse.toString());
            params.put("iceberg.catalog.io-impl", "${file:" + secrets + ":io}");
            params.put("iceberg.catalog.token", "${file:" + secrets + ":token}");
            params.put("sampling.decision-wait", "1s");
            params.put("checkpoint.interval", "500ms");
            params.put("state.dir", checkpoints.toUri().toString());
            TailSamplingConf conf = TailSamplingConf.fromMap(params);
            JobClient job = start(conf, 1, SecretsAndRedactionITCase::keepCheckpoints);

            Table spans = conf.catalog.loadTable("spans");
            waitUntil(() -> committedRows(spans) > 0, "the error span committed", job);

            String rest = "http://" + FLINK.getClientConfiguration().get(RestOptions.ADDRESS) + ":"
                    + FLINK.getClientConfiguration().get(RestOptions.PORT);
            for (String path : List.of(
                    "/jobmanager/config",
                    "/jobs/" + job.getJobID() + "/config",
                    "/jobs/" + job.getJobID(),
                    "/jobs/" + job.getJobID() + "/plan",
                    "/jobs/" + job.getJobID() + "/exceptions",
                    "/jobs/" + job.getJobID() + "/checkpoints/config")) {
                HttpResponse<String> response = HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create(rest + path)).build(),
                                HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as(path).isEqualTo(200);
                assertThat(response.body()).as(path).doesNotContain(sentinel);
            }
            job.cancel().get(1, TimeUnit.MINUTES);
        } finally {
            releaseLogs(appender);
        }

        assertThat(logs.toString())
                .as("the logs mention the Kafka clients' settings")
                .contains("sasl.jaas.config");
        assertThat(logs.toString()).doesNotContain(sentinel);
        assertThat(filesContaining(checkpoints, sentinel))
                .as("checkpoint files")
                .isEmpty();
        assertThat(filesContaining(warehouse, sentinel)).as("table files").isEmpty();
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void whatTheRulesRedactIsInNoTableCheckpointOrDeadLetter() throws Exception {
        String email = "email-" + UUID.randomUUID();
        String user = "user-" + UUID.randomUUID();
        String literal = "literal-" + UUID.randomUUID();
        Path key = Files.writeString(temp.resolve("hash.key"), "k3y");
        String traceId = "5bf92f3577b34da6a3ce929d0e0e4736";
        long start = System.currentTimeMillis() * 1_000_000L;
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(kafka.clientProperties(), new ByteArraySerializer(), new ByteArraySerializer())) {
            Span.Builder kept = Span.newBuilder()
                    .setTraceId(id(traceId))
                    .setSpanId(id("00f067aa0ba902b7"))
                    .setName("SELECT users")
                    .setStartTimeUnixNano(start)
                    .setEndTimeUnixNano(start + 1_000_000L)
                    .addAttributes(attr("user.email", email))
                    .addAttributes(attr("enduser.id", user))
                    .addAttributes(attr("db.statement", "SELECT * FROM users WHERE email = '" + literal + "'"));
            Span.Builder refused = Span.newBuilder()
                    .setTraceId(id(traceId))
                    .setSpanId(id("00f067aa0ba902b8"))
                    .setName("too many")
                    .setStartTimeUnixNano(start)
                    .setEndTimeUnixNano(start + 1_000L)
                    .addAttributes(attr("user.email", email))
                    .addAttributes(attr("enduser.id", user))
                    .addAttributes(attr("a", 1))
                    .addAttributes(attr("b", 2))
                    .addAttributes(attr("c", 3));
            producer.send(new ProducerRecord<>(
                            "redacted_spans",
                            request(resourceSpans("accounts", error(kept), refused))
                                    .toByteArray()))
                    .get();
        }

        Path checkpoints = temp.resolve("checkpoints");
        Path warehouse = temp.resolve("warehouse");
        Map<String, String> params = new HashMap<>();
        params.put("kafka.bootstrap-servers", kafka.bootstrapServers());
        params.put("kafka.topic.spans", "redacted_spans");
        params.put("kafka.topic.dead-letters", "redacted_spans_dlq");
        params.put("iceberg.warehouse", warehouse.toString());
        params.put("redaction.drop-attributes", "user.email");
        params.put("redaction.hash-attributes", "enduser.id");
        params.put("redaction.hash-key-file", key.toString());
        params.put("redaction.sanitize-sql", "true");
        params.put("decode.max-attributes-per-span", "3");
        params.put("sampling.decision-wait", "2s");
        params.put("checkpoint.interval", "300ms");
        params.put("state.dir", checkpoints.toUri().toString());
        TailSamplingConf conf = TailSamplingConf.fromMap(params);
        JobClient job = start(conf, 1, SecretsAndRedactionITCase::keepCheckpoints);

        Table spans = conf.catalog.loadTable("spans");
        waitUntil(() -> committedRows(spans) > 0, "the kept span committed", job);
        job.cancel().get(1, TimeUnit.MINUTES);

        List<org.apache.flink.types.Row> rows = WarehouseSql.open(conf.catalog)
                .query("SELECT attributes['user.email'] AS email, attributes['enduser.id'] AS enduser, db_statement"
                        + " FROM spans");
        assertThat(rows).singleElement().satisfies(row -> {
            assertThat(row.getField("email")).isNull();
            assertThat((String) row.getField("enduser")).hasSize(32).doesNotContain(user);
            assertThat(row.getField("db_statement")).isEqualTo("SELECT * FROM users WHERE email = ?");
        });
        List<ConsumerRecord<byte[], byte[]>> letters = records(kafka.bootstrapServers(), "redacted_spans_dlq", 1);
        assertThat(letters).singleElement().satisfies(letter -> assertThat(header(letter, "reason"))
                .isEqualTo("too_many_attributes"));
        for (String sentinel : List.of(email, user, literal)) {
            assertThat(filesContaining(warehouse, sentinel)).as("table files").isEmpty();
            assertThat(filesContaining(checkpoints, sentinel))
                    .as("checkpoint files")
                    .isEmpty();
            assertThat(new String(letters.get(0).value(), StandardCharsets.ISO_8859_1))
                    .doesNotContain(sentinel);
        }
    }

    /** Every checkpoint stays after the job ends, so that all of them can be searched. */
    private static void keepCheckpoints(Configuration flink) {
        flink.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        flink.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, 1_000);
    }

    /** Every log event at INFO and above, for the test's duration, also into {@code out}. */
    private static WriterAppender captureLogs(StringWriter out) {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        WriterAppender appender = WriterAppender.newBuilder()
                .setName("secrets-check")
                .setTarget(out)
                .setLayout(PatternLayout.newBuilder()
                        .withPattern("%p %c - %m%n%throwable")
                        .build())
                .build();
        appender.start();
        LoggerConfig root = context.getConfiguration().getRootLogger();
        // The console stays at WARN; only the capture sees INFO.
        for (Appender existing : List.copyOf(root.getAppenders().values())) {
            root.removeAppender(existing.getName());
            root.addAppender(existing, Level.WARN, null);
        }
        root.addAppender(appender, Level.INFO, null);
        root.setLevel(Level.INFO);
        context.updateLoggers();
        return appender;
    }

    private static void releaseLogs(WriterAppender appender) {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        LoggerConfig root = context.getConfiguration().getRootLogger();
        root.removeAppender(appender.getName());
        root.setLevel(Level.WARN);
        context.updateLoggers();
        appender.stop();
    }
}

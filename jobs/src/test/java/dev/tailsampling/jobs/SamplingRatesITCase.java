package dev.tailsampling.jobs;

import static dev.tailsampling.operators.otlp.OtlpTestData.request;
import static dev.tailsampling.operators.otlp.OtlpTestData.resourceSpans;
import static dev.tailsampling.operators.otlp.OtlpTestData.span;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.iceberg.WarehouseSql;
import dev.tailsampling.local.cluster.EmbeddedKafka;
import dev.tailsampling.sampling.ConsistentProbability;
import dev.tailsampling.sampling.rates.RatesJson;
import dev.tailsampling.sampling.rates.SamplingRate;
import dev.tailsampling.sampling.rates.ServiceStats;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rate published to the rates topic changes what the running sampler keeps: two batches of plain
 * traces, one before and one after {@code rates set}, read back from the Iceberg table. The sampler
 * publishes its statistics meanwhile, and a rate record that does not parse leaves it running.
 */
class SamplingRatesITCase {
    private static final int TRACES_PER_BATCH = 200;
    private static final double DEFAULT_RATE = 0.1;
    private static final double FRONTEND_RATE = 0.6;

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    private static EmbeddedKafka kafka;

    @TempDir
    Path temp;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = JobTestSupport.kafkaWithJobTopics(2);
    }

    @AfterAll
    static void stopKafka() throws Exception {
        kafka.close();
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aPublishedRateChangesTheKeptFractionOfTheRunningSampler() throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            SamplingRate defaults = new SamplingRate(
                    SamplingRate.DEFAULT_KEY, DEFAULT_RATE, 1.0, "steady", SamplingRate.SOURCE_CONTROLLER, 0, 0);
            producer.send(new ProducerRecord<>(
                            "sampling_rates", "*".getBytes(StandardCharsets.UTF_8), RatesJson.write(defaults)))
                    .get();
        }
        TailSamplingConf conf = TailSamplingConf.fromMap(Map.of(
                "kafka.bootstrap-servers", kafka.bootstrapServers(),
                "iceberg.warehouse", temp.resolve("warehouse").toString(),
                "sampling.decision-wait", "1s",
                "sampling.stats-window", "1s",
                "checkpoint.interval", "500ms",
                // The fixtures' spans ran on a fixed day, however long ago that is now.
                "decode.max-span-age", "36500d"));
        Configuration flink = TailSamplingJob.flinkConfiguration(conf);
        flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        env.setParallelism(2);
        JobClient job = new TailSamplingJob(conf).start(env);
        Table spans = conf.catalog.loadTable("spans");

        Random random = new Random(11);
        List<String> before = traceIds(random);
        publish(before);
        Set<String> keptBefore = expectedKept(before, DEFAULT_RATE);
        waitForRows(spans, 2L * keptBefore.size());

        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(
                            "sampling_rates",
                            "frontend".getBytes(StandardCharsets.UTF_8),
                            "{not json".getBytes(StandardCharsets.UTF_8)))
                    .get();
        }
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        int status = RatesCommand.run(
                new String[] {
                    "set",
                    "frontend",
                    Double.toString(FRONTEND_RATE),
                    "--ttl",
                    "1h",
                    "--kafka.bootstrap-servers",
                    kafka.bootstrapServers()
                },
                new PrintStream(printed),
                System.err);
        assertThat(status).isZero();
        // The rate travels through Kafka to the broadcast; spans sent now are decided after it lands.
        Thread.sleep(3_000);

        List<String> after = traceIds(random);
        publish(after);
        Set<String> keptAfter = expectedKept(after, FRONTEND_RATE);
        waitForRows(spans, 2L * (keptBefore.size() + keptAfter.size()));
        assertThat(job.getJobStatus().get())
                .as("the bad rate record was skipped")
                .isEqualTo(JobStatus.RUNNING);
        // Windows close on processing time and the sink flushes on checkpoints: read before cancelling.
        assertThat(statsTracesSeen())
                .as("the sampler published every decided trace")
                .isEqualTo(2L * TRACES_PER_BATCH);
        job.cancel().get(1, TimeUnit.MINUTES);

        List<Row> rows = WarehouseSql.open(conf.catalog)
                .query("SELECT DISTINCT trace_id, sampling_policy, sample_probability FROM spans");
        Map<String, Double> probability = rows.stream()
                .collect(Collectors.toMap(
                        r -> (String) r.getField("trace_id"), r -> (Double) r.getField("sample_probability")));
        assertThat(probability.keySet()).isEqualTo(union(keptBefore, keptAfter));
        keptBefore.forEach(id -> assertThat(probability.get(id)).isEqualTo(DEFAULT_RATE));
        keptAfter.forEach(id -> assertThat(probability.get(id)).isEqualTo(FRONTEND_RATE));
        assertThat(rows)
                .allSatisfy(r -> assertThat(r.getField("sampling_policy")).isEqualTo("representative"));
        assertThat((double) keptAfter.size() / after.size())
                .as("kept fraction after the new rate")
                .isGreaterThan(3.0 * keptBefore.size() / before.size());

        ByteArrayOutputStream shown = new ByteArrayOutputStream();
        RatesCommand.run(
                new String[] {"show", "--kafka.bootstrap-servers", kafka.bootstrapServers()},
                new PrintStream(shown),
                System.err);
        assertThat(shown.toString(StandardCharsets.UTF_8))
                .containsPattern("frontend\\s+0\\.600000\\s+override\\s+manual")
                .containsPattern("\\*\\s+0\\.100000\\s+1\\.0000\\s+steady\\s+controller");
    }

    private static List<String> traceIds(Random random) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < TRACES_PER_BATCH; i++) {
            ids.add(String.format("%016x%016x", random.nextLong(), random.nextLong()));
        }
        return ids;
    }

    private static Set<String> expectedKept(List<String> traceIds, double rate) {
        return traceIds.stream()
                .filter(id -> ConsistentProbability.isSampled(id, rate))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new TreeSet<>(a);
        all.addAll(b);
        return all;
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(kafka.clientProperties(), new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Plain two-span traces of frontend, ten to a request. */
    private static void publish(List<String> traceIds) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (int from = 0; from < traceIds.size(); from += 10) {
                var spans = new ArrayList<io.opentelemetry.proto.trace.v1.Span.Builder>();
                for (String id : traceIds.subList(from, from + 10)) {
                    spans.add(span(id, "00000000000000a1", "", "GET /", 0, 50));
                    spans.add(span(id, "00000000000000a2", "00000000000000a1", "render", 5, 30));
                }
                byte[] value = request(resourceSpans(
                                "frontend", spans.toArray(new io.opentelemetry.proto.trace.v1.Span.Builder[0])))
                        .toByteArray();
                producer.send(new ProducerRecord<>("otlp_spans", (from / 10) % 2, null, value))
                        .get();
            }
        }
    }

    private static void waitForRows(Table spans, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        long committed = 0;
        while (System.nanoTime() < deadline) {
            spans.refresh();
            Snapshot snapshot = spans.currentSnapshot();
            committed = snapshot == null ? 0 : Long.parseLong(snapshot.summary().getOrDefault("total-records", "0"));
            if (committed >= expected) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("timed out with " + committed + " of " + expected + " rows");
    }

    /** Sum of traces_seen over the stats topic, read until it stops growing. */
    private static long statsTracesSeen() {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        props.put("group.id", "stats-check");
        props.put("auto.offset.reset", "earliest");
        long seen = 0;
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("sampling_stats"));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (seen < 2L * TRACES_PER_BATCH && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    ServiceStats stats = RatesJson.readStats(record.value());
                    assertThat(stats.service).isEqualTo("frontend");
                    assertThat(stats.windowEndMillis - stats.windowStartMillis).isEqualTo(1_000);
                    seen += stats.tracesSeen;
                }
            }
        }
        return seen;
    }
}

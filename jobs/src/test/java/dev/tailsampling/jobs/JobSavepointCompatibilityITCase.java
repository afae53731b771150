package dev.tailsampling.jobs;

import static dev.tailsampling.jobs.JobTestSupport.committedRows;
import static dev.tailsampling.jobs.JobTestSupport.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.iceberg.WarehouseSql;
import dev.tailsampling.local.cluster.EmbeddedKafka;
import dev.tailsampling.local.cluster.ProgressReporter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.iceberg.Table;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A savepoint of the whole job taken by version 0.1.0, before the modules were restructured,
 * restores into this version with no state left unclaimed: the Kafka offsets, the buffered traces,
 * the service metrics' minutes, the statistics windows and the sinks' state.
 *
 * <p>The savepoint in {@code savepoints/tail-sampling-job-0.1.0} was taken at parallelism 2 with a
 * 30 s decision wait, metrics delay and statistics window, once 0.1.0 had read the two records of
 * {@link #beforeSavepoint()} (one per partition of {@code otlp_spans}) and buffered their traces: an
 * error trace of two spans and a plain trace of one, at a representative rate of 0.
 */
class JobSavepointCompatibilityITCase {
    private static final String ERROR_TRACE = "0af7651916cd43dd8448eb211c80319c";
    private static final String PLAIN_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String NEW_TRACE = "5b8aa5a2d2c872e8321cf37308d69df2";

    @RegisterExtension
    static final MiniClusterExtension FLINK = JobTestSupport.miniCluster();

    @TempDir
    Path temp;

    /** The records 0.1.0 read before its savepoint: partition 0, then partition 1. */
    private static List<byte[]> beforeSavepoint() {
        return List.of(
                JobTestSupport.errorTrace(ERROR_TRACE, "00f067aa0ba902b7", "00f067aa0ba902b8"),
                JobTestSupport.plainTrace(PLAIN_TRACE, "b7ad6b7169203331"));
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void aSavepointOfTheEarlierVersionRestoresAndItsBufferedTracesAreDecided() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopic("otlp_spans", 2, Map.of());
            kafka.createTopic("otlp_spans_dlq", 1, Map.of());
            kafka.createTopic("sampling_stats", 1, Map.of());
            // The same records at the same offsets, which the restored offsets skip; then a new one.
            List<byte[]> before = beforeSavepoint();
            publish(kafka, 0, before.get(0));
            publish(kafka, 1, before.get(1));
            publish(kafka, 0, JobTestSupport.errorTrace(NEW_TRACE, "a3ce929d0e0e4736", "a3ce929d0e0e4737"));
            TailSamplingConf conf = JobTestSupport.withinSeconds(
                    temp.resolve("warehouse"), "kafka.bootstrap-servers", kafka.bootstrapServers());

            String savepoint = savepoint();
            JobClient job = JobTestSupport.start(conf, 2, flink -> {
                flink.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
                flink.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, false);
            });

            Table spans = conf.catalog.loadTable("spans");
            waitUntil(
                    () -> ProgressReporter.total("tracesDecided") == 3, "the restored and the new traces decided", job);
            waitUntil(() -> committedRows(spans) == 4, "the kept spans committed", job);
            waitUntil(
                    () -> ProgressReporter.total("metricSpansCounted") == 5,
                    "the restored and the new minutes written",
                    job);
            Table metrics = conf.catalog.loadTable("service_metrics");
            waitUntil(
                    () -> committedRows(metrics) == ProgressReporter.total("metricRowsWritten"),
                    "the minutes committed",
                    job);
            assertThat(ProgressReporter.total("tracesKeptByPolicy"))
                    .as("kept by errors")
                    .isEqualTo(2);
            assertThat(ProgressReporter.total("spansKeptByPolicy")).isEqualTo(4);
            assertThat(ProgressReporter.gaugeTotal("presampleRate"))
                    .as("no rate from the controller: every trace passes")
                    .isEqualTo(2);
            assertThat(ProgressReporter.total("spansDecoded"))
                    .as("only the new record is read: the offsets came from the savepoint")
                    .isEqualTo(2);
            job.cancel().get(1, TimeUnit.MINUTES);

            List<Row> kept =
                    WarehouseSql.open(conf.catalog).query("SELECT trace_id, span_id, sampling_policy FROM spans");
            assertThat(kept)
                    .extracting(row -> row.getFieldAs("trace_id") + "/" + row.getFieldAs("span_id") + " "
                            + row.getFieldAs("sampling_policy"))
                    .containsExactlyInAnyOrder(
                            ERROR_TRACE + "/00f067aa0ba902b7 errors",
                            ERROR_TRACE + "/00f067aa0ba902b8 errors",
                            NEW_TRACE + "/a3ce929d0e0e4736 errors",
                            NEW_TRACE + "/a3ce929d0e0e4737 errors");
        }
    }

    private static String savepoint() throws URISyntaxException {
        return Path.of(JobSavepointCompatibilityITCase.class
                        .getResource("/savepoints/tail-sampling-job-0.1.0/_metadata")
                        .toURI())
                .getParent()
                .toUri()
                .toString();
    }

    private static void publish(EmbeddedKafka kafka, int partition, byte[] value) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>("otlp_spans", partition, null, value))
                    .get();
        }
    }
}

package dev.tailsampling.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tailsampling.iceberg.IcebergCatalogConf;
import dev.tailsampling.operators.otlp.DecodeLimits;
import dev.tailsampling.sampling.PolicySet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TailSamplingConfTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        TailSamplingConf conf = TailSamplingConf.fromArgs(new String[0]);

        assertThat(conf.bootstrapServers).isEqualTo("localhost:9092");
        assertThat(conf.spansTopic).isEqualTo("otlp_spans");
        assertThat(conf.deadLetterTopic).isEqualTo("otlp_spans_dlq");
        assertThat(conf.groupId).isEqualTo("tail-sampling");
        assertThat(TailSamplingConf.fromMap(Map.of("kafka.group-id", "traces-eu")).groupId)
                .isEqualTo("traces-eu");
        assertThat(conf.bufferLimits.decisionWait()).isEqualTo(Duration.ofSeconds(30));
        assertThat(conf.bufferLimits.maxTraceDuration()).isEqualTo(Duration.ofMinutes(5));
        assertThat(conf.bufferLimits.maxSpansPerTrace()).isEqualTo(10_000);
        assertThat(conf.representativeRate).isEqualTo(0.01);
        assertThat(conf.catalog.type()).isEqualTo(IcebergCatalogConf.CatalogType.HADOOP);
        assertThat(conf.catalog.namespace()).isEqualTo("tracing");
        assertThat(conf.catalog.properties().get("warehouse"))
                .startsWith("file:/")
                .endsWith("/warehouse");
    }

    @Test
    void readsValuesAndPassesThroughPrefixedProperties() {
        TailSamplingConf conf = TailSamplingConf.fromArgs(new String[] {
            "--sampling.decision-wait", "10s",
            "--sampling.representative-rate", "0.2",
            "--kafka.security.security.protocol", "SASL_SSL",
            "--iceberg.catalog-type", "rest",
            "--iceberg.catalog.uri", "http://catalog:8181"
        });

        assertThat(conf.bufferLimits.decisionWait()).isEqualTo(Duration.ofSeconds(10));
        assertThat(conf.representativeRate).isEqualTo(0.2);
        assertThat(conf.kafkaClientProperties()).containsEntry("security.protocol", "SASL_SSL");
        assertThat(conf.catalog.type()).isEqualTo(IcebergCatalogConf.CatalogType.REST);
        assertThat(conf.catalog.properties())
                .containsEntry("uri", "http://catalog:8181")
                .doesNotContainKey("warehouse");
    }

    @Test
    void readsThePolicyFileAndItsDecisionWaitUnlessTheParameterIsGiven(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("policies.yaml");
        Files.writeString(file, "decision_wait: 12s\npolicies: [{name: all, type: always_sample}]\n");

        TailSamplingConf fromFile = TailSamplingConf.fromMap(Map.of("sampling.policies", file.toString()));
        TailSamplingConf overridden =
                TailSamplingConf.fromMap(Map.of("sampling.policies", file.toString(), "sampling.decision-wait", "3s"));

        assertThat(fromFile.bufferLimits.decisionWait()).isEqualTo(Duration.ofSeconds(12));
        assertThat(fromFile.policy().name()).isEqualTo("policy-set");
        assertThat(((PolicySet) fromFile.policy()).subPolicies())
                .extracting(p -> p.name())
                .containsExactly("all");
        assertThat(overridden.bufferLimits.decisionWait()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void refusesABadPolicyFileOrBuiltInPoliciesBesideIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("policies.yaml");
        Files.writeString(file, "policies: [{name: slow, type: latency, latency: {threshold: 1}}]\n");
        assertThatThrownBy(() -> TailSamplingConf.fromMap(Map.of("sampling.policies", file.toString())))
                .hasMessageContaining("--sampling.policies")
                .hasMessageContaining(file.toString())
                .hasMessageContaining("policy 'slow' (latency)");
        assertThatThrownBy(() -> TailSamplingConf.fromMap(Map.of("sampling.shadow-policies", file.toString())))
                .hasMessageContaining("--sampling.shadow-policies")
                .hasMessageContaining("policy 'slow' (latency)");

        Files.writeString(file, "policies: [{name: all, type: always_sample}]\n");
        assertThatThrownBy(() -> TailSamplingConf.fromMap(
                        Map.of("sampling.policies", file.toString(), "sampling.representative-rate", "0.1")))
                .hasMessageContaining("--sampling.representative-rate")
                .hasMessageContaining("--sampling.policies");
    }

    @Test
    void rejectsAnUnknownParameterAndListsTheKnownOnes() {
        assertThatThrownBy(() -> TailSamplingConf.fromMap(Map.of("sampling.decision-wiat", "5s")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--sampling.decision-wiat")
                .hasMessageContaining("--sampling.decision-wait");
    }

    @Test
    void rejectsBadValuesNamingTheParameterAndWhatItAccepts() {
        assertThatThrownBy(() -> TailSamplingConf.fromMap(Map.of("sampling.decision-wait", "soon")))
                .hasMessageContaining("--sampling.decision-wait")
                .hasMessageContaining("30s");
        assertThatThrownBy(() -> TailSamplingConf.fromMap(Map.of("sampling.decision-wait", "0s")))
                .hasMessageContaining("--sampling.decision-wait")
                .hasMessageContaining("positive");
        assertThatThrownBy(() -> TailSamplingConf.fromMap(Map.of("sampling.representative-rate", "5")))
                .hasMessageContaining("--sampling.representative-rate")
                .hasMessageContaining("0 to 1");
        assertThatThrownBy(() -> TailSamplingConf.fromMap(Map.of("sampling.max-spans-per-trace", "many")))
                .hasMessageContaining("--sampling.max-spans-per-trace")
                .hasMessageContaining("whole number");
        assertThatThrownBy(() -> TailSamplingConf.fromMap(Map.of("iceberg.catalog-type", "glue")))
                .hasMessageContaining("--iceberg.catalog-type")
                .hasMessageContaining("hadoop, rest, hive");
        assertThatThrownBy(() -> TailSamplingConf.fromMap(Map.of("iceberg.catalog-type", "rest")))
                .hasMessageContaining("--iceberg.catalog.uri");
        assertThatThrownBy(() -> TailSamplingConf.fromMap(
                        Map.of("sampling.decision-wait", "1min", "sampling.max-trace-duration", "30s")))
                .hasMessageContaining("--sampling.max-trace-duration")
                .hasMessageContaining("(30000 ms) must be at least the decision wait (60000 ms)");
        assertThatThrownBy(() -> TailSamplingConf.fromMap(
                        Map.of("sampling.decision-wait", "5s", "sampling.decision-wait-after-root", "10s")))
                .hasMessageContaining("--sampling.decision-wait-after-root")
                .hasMessageContaining("(10000 ms) must be positive and at most the decision wait (5000 ms)");
        assertThat(TailSamplingConf.fromMap(Map.of("sampling.decision-wait-after-root", "2s"))
                        .bufferLimits
                        .decisionWaitAfterRoot())
                .isEqualTo(Duration.ofSeconds(2));
        assertThatThrownBy(() -> TailSamplingConf.fromArgs(new String[] {"--kafka.group-id"}))
                .hasMessageContaining("--kafka.group-id needs a value");
        assertThatThrownBy(() -> TailSamplingConf.fromMap(Map.of("kafka.group-id", " ")))
                .hasMessageContaining("--kafka.group-id must not be empty");
    }

    @Test
    void readsTheLimitsAndRedactionWithTheirDefaultsAndRefusesBadOnes() {
        TailSamplingConf defaults = TailSamplingConf.fromArgs(new String[0]);
        assertThat(defaults.decodeLimits).isEqualTo(DecodeLimits.DEFAULTS);
        assertThat(defaults.bufferLimits.maxTraceBytes()).isEqualTo(64L << 20);
        assertThat(defaults.deadLetterMaxBytes).isEqualTo(1_000_000);
        assertThat(defaults.ratesMaxAge).isEqualTo(Duration.ofMinutes(30));
        assertThat(defaults.redaction.isNone()).isTrue();

        TailSamplingConf given = TailSamplingConf.fromArgs(new String[] {
            "--decode.max-record-bytes", "2mb",
            "--decode.max-attribute-length", "100",
            "--decode.max-span-age", "7d",
            "--redaction.drop-attributes", "user.email, user.phone",
            "--redaction.sanitize-sql", "true"
        });
        assertThat(given.decodeLimits.maxRecordBytes()).isEqualTo(2 << 20);
        assertThat(given.decodeLimits.maxAttributeLength()).isEqualTo(100);
        assertThat(given.decodeLimits.maxSpanAge()).isEqualTo(Duration.ofDays(7));
        assertThat(given.redaction.drop()).containsExactlyInAnyOrder("user.email", "user.phone");
        assertThat(given.redaction.sanitizeSql()).isTrue();

        assertThatThrownBy(() -> TailSamplingConf.fromMap(Map.of("decode.max-record-bytes", "0b")))
                .hasMessageContaining("--decode.max-record-bytes");
        assertThatThrownBy(() -> TailSamplingConf.fromMap(Map.of("decode.max-spans-per-record", "0")))
                .hasMessageContaining("--decode.max-spans-per-record must be at least 1");
        assertThatThrownBy(() -> TailSamplingConf.fromMap(Map.of("sampling.max-trace-bytes", "lots")))
                .hasMessageContaining("--sampling.max-trace-bytes")
                .hasMessageContaining("8mb");
        assertThatThrownBy(() -> TailSamplingConf.fromMap(Map.of("redaction.hash-attributes", "user.id")))
                .hasMessageContaining("--redaction.hash-key-file");
    }
}

package dev.tailsampling.jobs;

import static dev.tailsampling.jobs.KubernetesManifests.K8S;
import static dev.tailsampling.jobs.KubernetesManifests.YAML;
import static dev.tailsampling.jobs.KubernetesManifests.named;
import static dev.tailsampling.jobs.KubernetesManifests.ofKind;
import static dev.tailsampling.jobs.KubernetesManifests.render;
import static dev.tailsampling.jobs.KubernetesManifests.schemaErrors;
import static dev.tailsampling.jobs.KubernetesManifests.strings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import dev.tailsampling.iceberg.IcebergCatalogConf;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The manifests under {@code k8s/}, rendered per overlay, checked as strictly as an API server
 * would check them, and their arguments as strictly as the jobs check theirs.
 */
class KubernetesManifestsTest {
    private static final String NAMESPACE = "tracing";
    private static final String CREDENTIALS = "tail-sampling-credentials";
    private static final Pattern SECRET_PARAMETER =
            Pattern.compile("(?i).*(jaas|password|secret|credential|token|access-key).*");
    private static final Pattern SECRET_ENV = Pattern.compile("(?i).*(SECRET|PASSWORD|TOKEN|ACCESS_KEY).*");

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"local", "production"})
    void customResourcesMatchTheirSchemasWithUnknownFieldsAsErrors(String overlay) throws Exception {
        Map<String, JsonSchema> schemas = KubernetesManifests.customResourceSchemas();
        List<JsonNode> docs = render(overlay);
        List<JsonNode> custom = docs.stream()
                .filter(d -> d.path("apiVersion").asText().contains(".io/")
                        || d.path("apiVersion").asText().startsWith("flink.apache.org/"))
                .toList();
        assertThat(custom).extracting(d -> d.path("kind").asText()).contains("FlinkDeployment", "KafkaTopic");
        for (JsonNode doc : custom) {
            assertThat(schemaErrors(schemas, doc))
                    .as("%s %s", doc.path("kind").asText(), doc.path("metadata").path("name"))
                    .isEmpty();
        }
    }

    @Test
    void aMisspeltKeyOrAValueOutsideTheSchemaIsAnError() throws Exception {
        Map<String, JsonSchema> schemas = KubernetesManifests.customResourceSchemas();
        JsonNode sampler = named(render("local"), "FlinkDeployment", "tail-sampler");
        assertThat(schemaErrors(schemas, sampler)).isEmpty();

        ObjectNode misspelt = sampler.deepCopy();
        ((ObjectNode) misspelt.path("spec").path("job")).put("upgradeMod", "savepoint");
        assertThat(schemaErrors(schemas, misspelt))
                .anySatisfy(m -> assertThat(m).contains("upgradeMod"));

        ObjectNode inTemplate = sampler.deepCopy();
        ((ObjectNode) inTemplate
                        .path("spec")
                        .path("podTemplate")
                        .path("spec")
                        .path("containers")
                        .get(0))
                .put("volumeMount", "x");
        assertThat(schemaErrors(schemas, inTemplate))
                .anySatisfy(m -> assertThat(m).contains("volumeMount"));

        ObjectNode badVersion = sampler.deepCopy();
        ((ObjectNode) badVersion.path("spec")).put("flinkVersion", "v2_9");
        assertThat(schemaErrors(schemas, badVersion)).isNotEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "production"})
    void theDeploymentsAreWhatTheSamplerNeeds(String overlay) throws Exception {
        List<JsonNode> docs = render(overlay);
        for (JsonNode doc : docs) {
            assertThat(doc.path("metadata").path("namespace").asText())
                    .as("namespace of %s", doc.path("metadata").path("name"))
                    .isEqualTo(NAMESPACE);
        }
        for (JsonNode deployment : ofKind(docs, "FlinkDeployment")) {
            JsonNode spec = deployment.path("spec");
            JsonNode conf = spec.path("flinkConfiguration");
            assertThat(spec.path("flinkVersion").asText()).isEqualTo("v2_1");
            assertThat(spec.path("mode").asText()).isEqualTo("native");
            assertThat(spec.path("job").path("upgradeMode").asText()).isEqualTo("savepoint");
            assertThat(spec.path("job").path("jarURI").asText())
                    .isEqualTo("local:///opt/flink/usrlib/tail-sampling-job.jar");
            assertThat(conf.path("state.backend.type").asText()).isEqualTo("rocksdb");
            assertThat(conf.path("execution.checkpointing.incremental").asText())
                    .isEqualTo("true");
            assertThat(conf.path("high-availability.type").asText()).isEqualTo("kubernetes");
            for (String dir : List.of(
                    "execution.checkpointing.dir",
                    "execution.checkpointing.savepoint-dir",
                    "high-availability.storageDir")) {
                assertThat(conf.path(dir).asText())
                        .as(dir)
                        .matches(overlay.equals("production") ? "s3://.+" : "file:///data/.+");
            }
            assertThat(conf.path("metrics.reporter.prom.factory.class").asText())
                    .isEqualTo("org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        }
        JsonNode sampler = named(docs, "FlinkDeployment", "tail-sampler");
        assertThat(sampler.path("spec")
                        .path("flinkConfiguration")
                        .path("state.backend.rocksdb.metrics.estimate-live-data-size")
                        .asText())
                .isEqualTo("true");
        assertThat(named(docs, "FlinkDeployment", "budget-controller")
                        .path("spec")
                        .path("job")
                        .path("parallelism")
                        .asInt())
                .isEqualTo(1);
        Map<String, JsonNode> topics = new LinkedHashMap<>();
        ofKind(docs, "KafkaTopic")
                .forEach(t -> topics.put(t.path("spec").path("topicName").asText(), t));
        assertThat(topics).containsOnlyKeys("otlp_spans", "otlp_spans_dlq", "sampling_rates", "sampling_stats");
        JsonNode rates = topics.get("sampling_rates").path("spec");
        assertThat(rates.path("partitions").asInt()).isEqualTo(1);
        assertThat(rates.path("config").path("cleanup.policy").asText()).isEqualTo("compact");
        assertThat(topics.get("sampling_stats").path("spec").path("partitions").asInt())
                .isEqualTo(1);
        assertThat(topics.get("otlp_spans").path("spec").path("partitions").asInt())
                .as("otlp_spans has a partition for every sampler subtask")
                .isGreaterThanOrEqualTo(
                        sampler.path("spec").path("job").path("parallelism").asInt());
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "production"})
    void coreKindsHaveTheirRequiredFields(String overlay) throws Exception {
        List<JsonNode> docs = render(overlay);
        for (JsonNode doc : docs) {
            String kind = doc.path("kind").asText();
            String what = kind + " " + doc.path("metadata").path("name").asText();
            assertThat(doc.path("metadata").path("name").asText()).as(what).isNotBlank();
            switch (kind) {
                case "ConfigMap" -> {
                    assertThat(doc.path("apiVersion").asText()).as(what).isEqualTo("v1");
                    assertThat(doc.path("data").isObject()).as(what + " data").isTrue();
                    doc.path("data")
                            .forEach(v -> assertThat(v.isTextual()).as(what).isTrue());
                }
                case "Secret" -> {
                    assertThat(doc.path("apiVersion").asText()).as(what).isEqualTo("v1");
                    doc.path("data").forEach(v -> Base64.getDecoder().decode(v.asText()));
                }
                case "PersistentVolumeClaim" -> {
                    assertThat(doc.path("apiVersion").asText()).as(what).isEqualTo("v1");
                    assertThat(doc.path("spec").path("accessModes")).as(what).isNotEmpty();
                    assertThat(doc.at("/spec/resources/requests/storage").asText())
                            .as(what)
                            .isNotBlank();
                }
                case "CronJob" -> {
                    assertThat(doc.path("apiVersion").asText()).as(what).isEqualTo("batch/v1");
                    assertThat(doc.at("/spec/schedule").asText().split(" "))
                            .as(what + " schedule")
                            .hasSize(5);
                    JsonNode pod = doc.at("/spec/jobTemplate/spec/template/spec");
                    assertThat(pod.path("restartPolicy").asText()).as(what).isIn("OnFailure", "Never");
                    assertThat(pod.path("containers")).as(what).isNotEmpty();
                    for (JsonNode container : pod.path("containers")) {
                        assertThat(container.path("name").asText()).as(what).isNotBlank();
                        assertThat(container.path("image").asText()).as(what).isNotBlank();
                    }
                    assertVolumesResolve(what, pod);
                }
                case "Deployment" -> {
                    assertThat(doc.path("apiVersion").asText()).as(what).isEqualTo("apps/v1");
                    JsonNode pod = doc.at("/spec/template/spec");
                    assertThat(doc.at("/spec/selector/matchLabels"))
                            .as(what + " selects its own pods")
                            .isEqualTo(doc.at("/spec/template/metadata/labels"));
                    for (JsonNode container : pod.path("containers")) {
                        assertThat(container.path("image").asText()).as(what).isNotBlank();
                    }
                    assertVolumesResolve(what, pod);
                }
                case "Service" -> {
                    assertThat(doc.path("apiVersion").asText()).as(what).isEqualTo("v1");
                    JsonNode selected = named(
                            docs,
                            "Deployment",
                            doc.path("metadata").path("name").asText());
                    assertThat(doc.at("/spec/selector"))
                            .as(what + " selects the Deployment's pods")
                            .isEqualTo(selected.at("/spec/template/metadata/labels"));
                    List<String> ports = new ArrayList<>();
                    selected.at("/spec/template/spec/containers/0/ports")
                            .forEach(port -> ports.add(port.path("name").asText()));
                    doc.at("/spec/ports").forEach(port -> assertThat(ports)
                            .as(what + " targets a named container port")
                            .contains(port.path("targetPort").asText()));
                }
                case "FlinkDeployment" -> assertVolumesResolve(what, doc.at("/spec/podTemplate/spec"));
                case "KafkaTopic" -> {}
                default -> throw new AssertionError("a kind this test does not check: " + what);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "production"})
    void everyArgsListIsAcceptedByTheJobsOwnParser(String overlay) throws Exception {
        List<JsonNode> docs = render(overlay);
        JsonNode sampler = named(docs, "FlinkDeployment", "tail-sampler");
        TailSamplingConf conf = TailSamplingConf.fromArgs(args(docs, sampler));
        assertThat(conf.policyFile).as("the policy file from the ConfigMap").isNotNull();

        JsonNode controller = named(docs, "FlinkDeployment", "budget-controller");
        String[] controllerArgs = args(docs, controller);
        assertThat(controllerArgs[0]).isEqualTo("controller");
        ControllerConf controllerConf =
                ControllerConf.fromArgs(java.util.Arrays.copyOfRange(controllerArgs, 1, controllerArgs.length));
        assertThat(controllerConf.settings.services).isNotEmpty();

        JsonNode cron = named(docs, "CronJob", "tables-maintenance");
        JsonNode container = cron.at("/spec/jobTemplate/spec/template/spec/containers/0");
        assertThat(strings(container.path("command"))).containsExactly("/opt/flink/bin/tail-sampling");
        List<String> maintain = strings(container.path("args"));
        assertThat(maintain.get(0)).isEqualTo("maintain");
        MaintainCommand.Parameters parameters = MaintainCommand.Parameters.parse(
                maintain.subList(1, maintain.size()).toArray(String[]::new));
        JsonNode query = named(docs, "Deployment", "trace-query").at("/spec/template/spec/containers/0");
        assertThat(strings(query.path("command"))).containsExactly("/opt/flink/bin/tail-sampling");
        List<String> serve = strings(query.path("args"));
        assertThat(serve.get(0)).isEqualTo("serve");
        ServeCommand.Parameters served =
                ServeCommand.Parameters.parse(serve.subList(1, serve.size()).toArray(String[]::new));
        assertThat(served.settings().port())
                .as("the port the readiness probe and the Service use")
                .isEqualTo(query.at("/ports/0/containerPort").asInt());
        for (IcebergCatalogConf catalog : List.of(parameters.catalog(), controllerConf.catalog, served.catalog())) {
            assertThat(catalog.describe()).isEqualTo(conf.catalog.describe());
            assertThat(catalog.properties()).isEqualTo(conf.catalog.properties());
        }
    }

    @Test
    void aBadParameterInAManifestFailsTheParse() throws Exception {
        List<JsonNode> docs = render("local");
        ObjectNode sampler = named(docs, "FlinkDeployment", "tail-sampler").deepCopy();
        ((ArrayNode) sampler.at("/spec/job/args"))
                .add("--sampling.decision-wiat")
                .add("10s");
        assertThatThrownBy(() -> TailSamplingConf.fromArgs(args(docs, sampler)))
                .hasMessageContaining("--sampling.decision-wiat");
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "production"})
    void noSecretIsInAnyManifestOrArgument(String overlay) throws Exception {
        List<JsonNode> docs = render(overlay);
        Set<String> documentedKeys = documentedSecretKeys();
        for (JsonNode secret : ofKind(docs, "Secret")) {
            assertThat(secret.path("data").size() + secret.path("stringData").size())
                    .as("values in Secret %s", secret.path("metadata").path("name"))
                    .isZero();
        }
        for (JsonNode doc : docs) {
            List<String> args = new ArrayList<>();
            doc.at("/spec/job/args").forEach(a -> args.add(a.asText()));
            doc.findValues("args").forEach(a -> a.forEach(x -> args.add(x.asText())));
            for (int i = 0; i + 1 < args.size(); i++) {
                if (args.get(i).startsWith("--")
                        && SECRET_PARAMETER.matcher(args.get(i)).matches()) {
                    assertThat(args.get(i + 1)).as(args.get(i)).matches("\\$\\{(dir|file|env):.+}");
                }
            }
            Matcher placeholder =
                    Pattern.compile("\\$\\{dir:/etc/tracing/secrets:([^}]+)}").matcher(String.join(" ", args));
            while (placeholder.find()) {
                assertThat(documentedKeys)
                        .as("Secret keys in docs/operations.md")
                        .contains(placeholder.group(1));
            }
            for (JsonNode env : doc.findValues("env")) {
                for (JsonNode var : env) {
                    if (SECRET_ENV.matcher(var.path("name").asText()).matches()) {
                        assertThat(var.has("value"))
                                .as(var.path("name").asText())
                                .isFalse();
                        JsonNode ref = var.at("/valueFrom/secretKeyRef");
                        assertThat(ref.path("name").asText()).isEqualTo(CREDENTIALS);
                        assertThat(documentedKeys).contains(ref.path("key").asText());
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "production"})
    void theGatewayWritesWhatTheSamplerReads(String overlay) throws Exception {
        List<JsonNode> docs = render(overlay);
        TailSamplingConf conf = TailSamplingConf.fromArgs(args(docs, named(docs, "FlinkDeployment", "tail-sampler")));
        JsonNode gateway = collectorConfig(docs, "otel-gateway");
        JsonNode kafka = gateway.at("/exporters/kafka");
        assertThat(kafka.at("/traces/topic").asText()).isEqualTo(conf.spansTopic);
        assertThat(kafka.at("/traces/encoding").asText()).isEqualTo("otlp_proto");
        assertThat(kafka.path("partition_traces_by_id").asBoolean()).isTrue();
        assertThat(kafka.at("/producer/compression").asText()).isIn("none", "gzip", "snappy", "lz4", "zstd");
        long maxMessage = kafka.at("/producer/max_message_bytes").asLong();
        JsonNode spansTopic = ofKind(docs, "KafkaTopic").stream()
                .filter(t -> t.at("/spec/topicName").asText().equals(conf.spansTopic))
                .findFirst()
                .orElseThrow();
        assertThat(maxMessage)
                .isPositive()
                .isLessThanOrEqualTo(
                        spansTopic.at("/spec/config/max.message.bytes").asLong())
                .isLessThanOrEqualTo(conf.decodeLimits.maxRecordBytes());
        String samplerHost = conf.bootstrapServers.split(",")[0].split(":")[0];
        assertThat(strings(kafka.path("brokers")))
                .allSatisfy(broker -> assertThat(broker).startsWith(samplerHost + "."));
        assertThat(strings(gateway.at("/service/pipelines/traces/exporters"))).contains("kafka");
        assertPersistentQueueAndEndlessRetry(gateway, "kafka");

        JsonNode agent = collectorConfig(docs, "otel-agent");
        assertThat(agent.at("/exporters/otlp~1gateway/endpoint").asText()).startsWith("otel-gateway.");
        assertThat(strings(agent.at("/service/pipelines/traces/exporters"))).contains("otlp/gateway");
        assertPersistentQueueAndEndlessRetry(agent, "otlp/gateway");
    }

    /** The exporter queues on disk (a storage extension the service runs) and never stops retrying. */
    private static void assertPersistentQueueAndEndlessRetry(JsonNode config, String exporter) {
        JsonNode settings = config.path("exporters").path(exporter);
        assertThat(settings.at("/sending_queue/enabled").asBoolean())
                .as(exporter)
                .isTrue();
        String storage = settings.at("/sending_queue/storage").asText();
        assertThat(storage).as(exporter + " queue storage").startsWith("file_storage");
        assertThat(config.path("extensions").has(storage)).isTrue();
        assertThat(config.path("extensions").path(storage).path("directory").asText())
                .isNotBlank();
        assertThat(strings(config.at("/service/extensions"))).contains(storage);
        assertThat(settings.at("/retry_on_failure/enabled").asBoolean()).isTrue();
        assertThat(settings.at("/retry_on_failure/max_elapsed_time").asText()).isIn("0", "0s");
    }

    private static JsonNode collectorConfig(List<JsonNode> docs, String name) throws Exception {
        return YAML.readTree(
                named(docs, "ConfigMap", name).at("/data/config.yaml").asText());
    }

    /** Every volume a pod mounts is declared, and every ConfigMap it names is in the manifests. */
    private static void assertVolumesResolve(String what, JsonNode pod) {
        Set<String> volumes = new java.util.HashSet<>();
        pod.path("volumes").forEach(v -> volumes.add(v.path("name").asText()));
        for (JsonNode container : pod.path("containers")) {
            container.path("volumeMounts").forEach(m -> assertThat(volumes)
                    .as(what + " mounts")
                    .contains(m.path("name").asText()));
        }
    }

    /**
     * The args of a FlinkDeployment, with every path under a mounted ConfigMap pointing at a copy of
     * that ConfigMap's data in the temporary folder, so the job reads the files it would read in its
     * pod.
     */
    private String[] args(List<JsonNode> docs, JsonNode deployment) throws Exception {
        JsonNode pod = deployment.at("/spec/podTemplate/spec");
        Map<String, Path> mounts = new LinkedHashMap<>();
        for (JsonNode mount : pod.at("/containers/0/volumeMounts")) {
            for (JsonNode volume : pod.path("volumes")) {
                if (volume.path("name").asText().equals(mount.path("name").asText()) && volume.has("configMap")) {
                    JsonNode configMap = named(
                            docs, "ConfigMap", volume.at("/configMap/name").asText());
                    Path dir = Files.createDirectories(
                            tmp.resolve(mount.path("mountPath").asText().substring(1)));
                    var files = configMap.path("data").fields();
                    while (files.hasNext()) {
                        var file = files.next();
                        Files.writeString(
                                dir.resolve(file.getKey()), file.getValue().asText());
                    }
                    mounts.put(mount.path("mountPath").asText() + "/", dir);
                }
            }
        }
        List<String> args = new ArrayList<>();
        for (JsonNode arg : deployment.at("/spec/job/args")) {
            String value = arg.asText();
            for (Map.Entry<String, Path> mount : mounts.entrySet()) {
                if (value.startsWith(mount.getKey())) {
                    Path file = mount.getValue()
                            .resolve(value.substring(mount.getKey().length()));
                    assertThat(file).as("%s in its ConfigMap", value).exists();
                    value = file.toString();
                }
            }
            args.add(value);
        }
        return args.toArray(String[]::new);
    }

    /** The keys of the credentials Secret that docs/operations.md tells the operator to create. */
    private static Set<String> documentedSecretKeys() throws Exception {
        String runbook = Files.readString(K8S.resolve("..").resolve("docs").resolve("operations.md"));
        Matcher create = Pattern.compile("kubectl -n tracing create secret generic " + CREDENTIALS + "((?:[^`])*)")
                .matcher(runbook);
        assertThat(create.find())
                .as("docs/operations.md creates the Secret " + CREDENTIALS)
                .isTrue();
        Set<String> keys = new java.util.TreeSet<>();
        Matcher key = Pattern.compile("--from-file=([a-z0-9-]+)=").matcher(create.group(1));
        while (key.find()) {
            keys.add(key.group(1));
        }
        assertThat(keys).isNotEmpty();
        return keys;
    }
}

package dev.tailsampling.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;

/**
 * The project's Kubernetes manifests as {@code kubectl kustomize} renders them, and the CRD schemas
 * they are written against ({@code ../shared/k8s-schemas}), closed so that an unknown field is an
 * error as with {@code kubectl apply --validate=strict}.
 */
final class KubernetesManifests {
    static final Path K8S = Path.of("..", "k8s");
    static final Path SCHEMAS = Path.of("..", "..", "shared", "k8s-schemas");
    static final ObjectMapper YAML = new YAMLMapper();

    private KubernetesManifests() {}

    /** Every document {@code kubectl kustomize} renders for an overlay. */
    static List<JsonNode> render(String overlay) throws IOException, InterruptedException {
        requireInCi(onPath("kubectl"), "kubectl is not on the PATH (Debian's kubernetes-client package has it)");
        Process kubectl = new ProcessBuilder(
                        "kubectl",
                        "kustomize",
                        K8S.resolve("overlays").resolve(overlay).toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String out = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!kubectl.waitFor(2, TimeUnit.MINUTES) || kubectl.exitValue() != 0) {
            fail("kubectl kustomize " + overlay + " failed with exit status " + kubectl.exitValue());
        }
        List<JsonNode> docs = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(out)) {
            Iterator<JsonNode> it = YAML.readValues(parser, JsonNode.class);
            it.forEachRemaining(doc -> {
                if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                    docs.add(doc);
                }
            });
        }
        return docs;
    }

    static List<JsonNode> ofKind(List<JsonNode> docs, String kind) {
        return docs.stream().filter(d -> kind.equals(d.path("kind").asText())).collect(Collectors.toList());
    }

    static JsonNode named(List<JsonNode> docs, String kind, String name) {
        List<JsonNode> found = ofKind(docs, kind).stream()
                .filter(d -> name.equals(d.path("metadata").path("name").asText()))
                .toList();
        assertEquals(1, found.size(), () -> "one " + kind + " named " + name);
        return found.get(0);
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** The closed schemas of every custom resource in the schemas folder, by "apiVersion kind". */
    static Map<String, JsonSchema> customResourceSchemas() throws IOException {
        requireInCi(
                Files.isDirectory(SCHEMAS),
                "the CRD schemas are not at " + SCHEMAS.toAbsolutePath().normalize());
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4);
        Map<String, JsonSchema> schemas = new TreeMap<>();
        try (var files = Files.list(SCHEMAS)) {
            for (Path file :
                    files.filter(f -> f.toString().matches(".*\\.ya?ml")).toList()) {
                for (JsonNode crd : YAML.readValues(new YAMLFactory().createParser(file.toFile()), JsonNode.class)
                        .readAll()) {
                    if (!"CustomResourceDefinition".equals(crd.path("kind").asText())) {
                        continue;
                    }
                    String group = crd.path("spec").path("group").asText();
                    String kind = crd.path("spec").path("names").path("kind").asText();
                    for (JsonNode version : crd.path("spec").path("versions")) {
                        JsonNode schema =
                                version.path("schema").path("openAPIV3Schema").deepCopy();
                        // The root lists spec and status only; apiVersion, kind and metadata are the API server's.
                        schema.path("properties").forEach(KubernetesManifests::close);
                        schemas.put(
                                group + "/" + version.path("name").asText() + " " + kind, factory.getSchema(schema));
                    }
                }
            }
        }
        return schemas;
    }

    /** What is wrong with a custom resource: its schema's messages, or that no schema has its version. */
    static List<String> schemaErrors(Map<String, JsonSchema> schemas, JsonNode doc) {
        String key = doc.path("apiVersion").asText() + " " + doc.path("kind").asText();
        JsonSchema schema = schemas.get(key);
        if (schema == null) {
            return List.of("no schema for " + key + "; the schemas are " + schemas.keySet());
        }
        return schema.validate(doc).stream()
                .map(ValidationMessage::getMessage)
                .sorted()
                .toList();
    }

    /**
     * Makes every object schema with properties refuse other fields, unless it preserves unknown
     * fields, and drops the Kubernetes extensions a JSON-schema validator does not know.
     */
    static void close(JsonNode node) {
        if (!(node instanceof ObjectNode schema)) {
            return;
        }
        boolean open = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        List<String> extensions = new ArrayList<>();
        schema.fieldNames().forEachRemaining(name -> {
            if (name.startsWith("x-kubernetes-") || name.equals("nullable")) {
                extensions.add(name);
            }
        });
        schema.remove(extensions);
        if (schema.has("properties") && !schema.has("additionalProperties") && !open) {
            schema.put("additionalProperties", false);
        }
        schema.path("properties").forEach(KubernetesManifests::close);
        close(schema.get("items"));
        close(schema.get("additionalProperties"));
        close(schema.get("not"));
        for (String combinator : List.of("allOf", "anyOf", "oneOf")) {
            if (schema.get(combinator) instanceof ArrayNode choices) {
                choices.forEach(KubernetesManifests::close);
            }
        }
    }

    /** Outside CI a missing tool or schema skips the test, saying what is missing; in CI it fails. */
    static void requireInCi(boolean present, String missing) {
        if (!present) {
            if (System.getenv("CI") != null) {
                fail(missing);
            }
            Assumptions.abort(missing);
        }
    }

    static boolean onPath(String command) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}

package dev.tailsampling.jobs.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * Jaeger's published query API contract ({@code shared/api-schemas} beside the project) and GETs
 * against a running query server, for the tests that check its answers.
 */
public final class JaegerContract {
    static final Path CONTRACT = Paths.get("..", "..", "shared", "api-schemas", "jaeger-query-api-v3.openapi.yaml");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static JsonNode components;

    private JaegerContract() {}

    /** What the contract's schema of that name (such as {@code google.rpc.Status}) finds wrong with the body. */
    public static synchronized List<String> errors(JsonNode body, String schema) {
        if (components == null) {
            assertThat(CONTRACT)
                    .as("Jaeger's query API contract beside the project")
                    .exists();
            try {
                components = new YAMLMapper().readTree(CONTRACT.toFile()).path("components");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        ObjectNode document = JSON.createObjectNode();
        document.put("$ref", "#/components/schemas/" + schema);
        document.set("components", components);
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(document).validate(body).stream()
                .map(ValidationMessage::getMessage)
                .toList();
    }

    /** GETs {@code path} from the server, checks the status and that the answer is JSON, and parses it. */
    public static JsonNode get(URI server, String path, int status) throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(server.resolve(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("content-type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        return JSON.readTree(response.body());
    }
}

package dev.tailsampling.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailsampling.operators.otlp.OtlpTestData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DryRunTest {
    private static final String SLOW = "5b8efff798038103d269b633813fc60c";
    private static final String FAST = "0af7651916cd43dd8448eb211c80319c";

    @TempDir
    Path dir;

    private Path policies;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    /** OTLP/JSON as the collector writes it: hex ids, camelCase names, nanos as strings. */
    private static String request(String traceId, String spanId, String parent, long startMs, long endMs) {
        return "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\","
                + "\"value\":{\"stringValue\":\"checkout\"}}]},\"scopeSpans\":[{\"scope\":{\"name\":\"shop\"},"
                + "\"spans\":[{\"traceId\":\"" + traceId + "\",\"spanId\":\"" + spanId + "\","
                + "\"parentSpanId\":\"" + parent + "\",\"name\":\"POST /orders\",\"kind\":2,"
                + "\"startTimeUnixNano\":\"" + (OtlpTestData.T0 + startMs * 1_000_000L) + "\","
                + "\"endTimeUnixNano\":\"" + (OtlpTestData.T0 + endMs * 1_000_000L) + "\","
                + "\"status\":{}}]}]}]}";
    }

    @BeforeEach
    void writePolicies() throws Exception {
        policies = dir.resolve("policies.yaml");
        Files.writeString(policies, "policies: [{name: slow, type: latency, latency: {threshold_ms: 1000}}]\n");
    }

    private int run(String... args) {
        return DryRun.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private List<JsonNode> lines() throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            lines.add(new ObjectMapper().readTree(line));
        }
        return lines;
    }

    @Test
    void printsOneDecisionPerTraceFromJsonLines() throws Exception {
        Path input = dir.resolve("traces.jsonl");
        Files.writeString(
                input,
                request(SLOW, "00f067aa0ba902b7", "", 0, 1500) + "\n"
                        + request(FAST, "b7ad6b7169203331", "", 0, 20) + "\n"
                        + request(SLOW, "00f067aa0ba902b8", "00f067aa0ba902b7", 10, 900) + "\n");

        assertThat(run("--policies", policies.toString(), "--input", input.toString()))
                .isZero();

        List<JsonNode> lines = lines();
        assertThat(lines).hasSize(2);
        JsonNode slow = lines.get(0);
        assertThat(slow.get("trace_id").asText()).isEqualTo(SLOW);
        assertThat(slow.get("decision").asText()).isEqualTo("keep");
        assertThat(slow.get("policy").asText()).isEqualTo("slow");
        assertThat(slow.get("probability").asDouble()).isEqualTo(1.0);
        assertThat(slow.get("span_count").asInt()).isEqualTo(2);
        assertThat(slow.get("duration_ms").asLong()).isEqualTo(1500);
        assertThat(slow.get("incomplete").asBoolean()).isFalse();
        JsonNode fast = lines.get(1);
        assertThat(fast.get("decision").asText()).isEqualTo("drop");
        assertThat(fast.get("probability").asDouble()).isZero();
    }

    @Test
    void learnedLatencyLearnsFromTheRootsAsInTheJob() throws Exception {
        Files.writeString(
                policies,
                "policies: [{name: learned, type: learned_latency, learned_latency: {quantile: 0.5, min_samples: 2}}]\n");
        Path input = dir.resolve("traces.jsonl");
        Files.writeString(
                input,
                request("00000000000000000000000000000001", "00f067aa0ba902b7", "", 0, 10) + "\n"
                        + request("00000000000000000000000000000002", "00f067aa0ba902b7", "", 0, 10) + "\n"
                        + request("00000000000000000000000000000003", "00f067aa0ba902b7", "", 0, 1000) + "\n");

        assertThat(run("--policies", policies.toString(), "--input", input.toString()))
                .isZero();

        assertThat(lines()).extracting(l -> l.get("decision").asText()).containsExactly("drop", "drop", "keep");
        assertThat(lines().get(2).get("policy").asText()).isEqualTo("learned");
    }

    @Test
    void unusualPathLearnsInFileOrderAndSaysWhichPathItKept() throws Exception {
        Files.writeString(policies, "policies: [{name: paths, type: unusual_path, unusual_path: {min_traces: 2}}]\n");
        Path input = dir.resolve("traces.jsonl");
        Files.writeString(
                input,
                request("00000000000000000000000000000001", "00f067aa0ba902b7", "", 0, 10) + "\n"
                        + request("00000000000000000000000000000002", "00f067aa0ba902b7", "", 0, 10) + "\n"
                        + request("00000000000000000000000000000003", "00f067aa0ba902b7", "", 0, 10) + "\n"
                        + request("00000000000000000000000000000003", "00f067aa0ba902b8", "00f067aa0ba902b7", 1, 9)
                        + "\n"
                        + request("00000000000000000000000000000004", "00f067aa0ba902b7", "", 0, 10) + "\n");

        assertThat(run("--policies", policies.toString(), "--input", input.toString()))
                .isZero();

        assertThat(lines()).extracting(l -> l.get("decision").asText()).containsExactly("drop", "drop", "keep", "drop");
        assertThat(lines().get(2).get("policy").asText()).isEqualTo("paths");
        assertThat(lines().get(2).get("reason").asText())
                .isEqualTo("path in 0.000 % of checkout POST /orders traces: (entry)  -> checkout POST /orders;"
                        + " checkout POST /orders -> checkout POST /orders");
    }

    @Test
    void readsASingleJsonDocumentAndProtobuf() throws Exception {
        Path json = dir.resolve("trace.json");
        Files.writeString(
                json,
                request(FAST, "b7ad6b7169203331", "00f067aa0ba902b7", 0, 20).replace(",", ",\n  "));
        assertThat(run("--policies", policies.toString(), "--input", json.toString()))
                .isZero();
        assertThat(lines())
                .singleElement()
                .satisfies(l -> assertThat(l.get("incomplete").asBoolean()).isTrue());

        out.reset();
        Path proto = dir.resolve("trace.pb");
        Files.write(
                proto,
                OtlpTestData.request(OtlpTestData.resourceSpans(
                                "checkout", OtlpTestData.span(SLOW, "00f067aa0ba902b7", "", "x", 0, 2000)))
                        .toByteArray());
        assertThat(run("--policies", policies.toString(), "--input", proto.toString(), "--input-format", "otlp-proto"))
                .isZero();
        assertThat(lines())
                .singleElement()
                .satisfies(l -> assertThat(l.get("decision").asText()).isEqualTo("keep"));
    }

    @Test
    void exitsWithTwoAndSaysWhyForABadPolicyFileOrInput() throws Exception {
        Files.writeString(policies, "policies: [{name: slow, type: latencyy}]\n");
        Path input = dir.resolve("traces.jsonl");
        Files.writeString(input, request(FAST, "b7ad6b7169203331", "", 0, 20));

        assertThat(run("--policies", policies.toString(), "--input", input.toString()))
                .isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("policy 'slow'")
                .contains("latencyy");

        writePolicies();
        err.reset();
        Files.writeString(input, "{not json");
        assertThat(run("--policies", policies.toString(), "--input", input.toString()))
                .isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("cannot read it as otlp-json");

        err.reset();
        assertThat(run("--policies", policies.toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--input").contains("usage");
    }
}

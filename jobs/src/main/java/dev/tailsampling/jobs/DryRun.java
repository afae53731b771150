package dev.tailsampling.jobs;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.util.JsonFormat;
import dev.tailsampling.operators.DeadLetter;
import dev.tailsampling.operators.TraceFragment;
import dev.tailsampling.operators.otlp.DecodeLimits;
import dev.tailsampling.operators.otlp.OtlpDecoder;
import dev.tailsampling.operators.otlp.SpanDecoder;
import dev.tailsampling.sampling.Decision;
import dev.tailsampling.sampling.PolicyContext;
import dev.tailsampling.sampling.PolicySet;
import dev.tailsampling.sampling.Span;
import dev.tailsampling.sampling.TraceSummary;
import dev.tailsampling.sampling.TraceView;
import dev.tailsampling.sampling.config.PolicyFile;
import dev.tailsampling.sampling.config.PolicyFileException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code dry-run --policies FILE --input FILE [--input-format otlp-json|otlp-proto]}: evaluates a
 * policy file on recorded traces with the job's own decoding and policy classes and prints one JSON
 * line per trace. Exit status 0, or 2 for a bad policy file, bad arguments or unreadable input.
 */
final class DryRun {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** OTLP/JSON writes ids as hex where the protobuf JSON mapping expects base64. */
    private static final Set<String> ID_FIELDS = Set.of("traceId", "spanId", "parentSpanId");

    static final String USAGE = "usage: dry-run --policies FILE --input FILE [--input-format otlp-json|otlp-proto]";

    static final Command COMMAND = new Command(
            "dry-run",
            "check a policy file against recorded traces, without Flink or Kafka",
            DryRun.USAGE,
            DryRun::run);

    private DryRun() {}

    static int run(String[] args, PrintStream out, PrintStream err) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!Set.of("--policies", "--input", "--input-format").contains(args[i]) || i + 1 >= args.length) {
                err.println("error: unexpected argument '" + args[i] + "'\n" + USAGE);
                return 2;
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        if (!options.containsKey("policies") || !options.containsKey("input")) {
            err.println("error: --policies and --input are required\n" + USAGE);
            return 2;
        }
        String format = options.getOrDefault("input-format", "otlp-json");
        if (!format.equals("otlp-json") && !format.equals("otlp-proto")) {
            err.println("error: --input-format: '" + format + "' is not one of otlp-json, otlp-proto");
            return 2;
        }
        PolicySet policies;
        List<ExportTraceServiceRequest> requests;
        try {
            policies = PolicyFile.load(Path.of(options.get("policies"))).policies;
            requests = read(Path.of(options.get("input")), format);
        } catch (PolicyFileException e) {
            err.println("error: " + e.getMessage());
            return 2;
        } catch (IOException | RuntimeException e) {
            err.println("error: " + options.get("input") + ": cannot read it as " + format + ": " + e.getMessage());
            return 2;
        }
        policies.open(PolicyContext.standalone());
        Map<String, List<TraceFragment>> traces = new LinkedHashMap<>();
        List<DeadLetter> refused = new ArrayList<>();
        // Recorded traces are read long after they ran: their times are not checked against now.
        OtlpDecoder decoder = new OtlpDecoder(DecodeLimits.DEFAULTS.anyTime());
        for (ExportTraceServiceRequest request : requests) {
            decoder.decode(request.toByteArray(), 0, new OtlpDecoder.Output() {
                @Override
                public void fragment(TraceFragment fragment) {
                    traces.computeIfAbsent(fragment.traceId, id -> new ArrayList<>())
                            .add(fragment);
                }

                @Override
                public void deadLetter(DeadLetter deadLetter) {
                    refused.add(deadLetter);
                }
            });
        }
        for (DeadLetter deadLetter : refused) {
            err.println("skipped: " + deadLetter.reason + ": " + deadLetter.detail);
        }
        traces.forEach((traceId, fragments) -> out.println(decide(policies, traceId, fragments)));
        return 0;
    }

    /** One trace through the policies, as the job's sampler would decide it. */
    private static String decide(PolicySet policies, String traceId, List<TraceFragment> fragments) {
        TraceSummary summary = TraceSummary.firstSeenAt(0);
        List<Span> spans = new ArrayList<>();
        for (TraceFragment f : fragments) {
            summary.add(f, f.payload.length, 0);
            SpanDecoder.decode(f.payload, spans);
        }
        Decision decision = policies.evaluate(TraceView.of(traceId, summary, () -> spans));
        ObjectNode line = JSON.createObjectNode();
        line.put("trace_id", traceId);
        line.put("decision", decision.keeps() ? "keep" : "drop");
        line.put("policy", decision.policy());
        line.put("probability", decision.probability());
        line.put("span_count", summary.spanCount);
        line.put("duration_ms", summary.durationNanos() / 1_000_000L);
        line.put("incomplete", !summary.rootSeen);
        if (decision.keeps()) {
            line.put("reason", decision.reason());
        }
        return line.toString();
    }

    private static List<ExportTraceServiceRequest> read(Path input, String format) throws IOException {
        if (format.equals("otlp-proto")) {
            return List.of(ExportTraceServiceRequest.parseFrom(Files.readAllBytes(input)));
        }
        // One request per line, or one document: Jackson reads a sequence of documents either way.
        List<ExportTraceServiceRequest> requests = new ArrayList<>();
        try (MappingIterator<JsonNode> documents = JSON.readerFor(JsonNode.class)
                .with(JsonParser.Feature.ALLOW_COMMENTS)
                .readValues(input.toFile())) {
            while (documents.hasNext()) {
                JsonNode document = documents.next();
                hexIdsToBase64(document);
                ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
                JsonFormat.parser().merge(document.toString(), request);
                requests.add(request.build());
            }
        }
        return requests;
    }

    private static void hexIdsToBase64(JsonNode node) {
        if (node.isObject()) {
            ObjectNode object = (ObjectNode) node;
            for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                JsonNode value = object.get(name);
                if (ID_FIELDS.contains(name) && value.isTextual()) {
                    byte[] id = HexFormat.of().parseHex(value.asText());
                    object.put(name, Base64.getEncoder().encodeToString(id));
                } else {
                    hexIdsToBase64(value);
                }
            }
        } else if (node.isArray()) {
            node.forEach(DryRun::hexIdsToBase64);
        }
    }
}

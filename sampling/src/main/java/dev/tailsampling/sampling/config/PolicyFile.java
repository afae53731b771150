package dev.tailsampling.sampling.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tailsampling.sampling.PolicySet;
import dev.tailsampling.sampling.SamplingPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A policy file in the shape of the OpenTelemetry Collector's {@code tail_sampling} processor
 * configuration. It may be a whole collector configuration (the first {@code
 * processors.tail_sampling} block is read), a file whose root is {@code tail_sampling:}, or the
 * block itself. Anything unknown or invalid is refused with the file, the policy and the problem.
 */
public final class PolicyFile {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** {@code decision_wait} from the file, or null when the file does not set it. */
    public final Duration decisionWait;
    /** The policies in file order. */
    public final PolicySet policies;

    private PolicyFile(Duration decisionWait, PolicySet policies) {
        this.decisionWait = decisionWait;
        this.policies = policies;
    }

    public static PolicyFile load(Path file) {
        return parse(read(file, "the policy file"), file.toString());
    }

    /** The text of a rules file; {@code what} names it in the message if it cannot be read. */
    static String read(Path file, String what) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new PolicyFileException(file + ": cannot read " + what + ": " + e.getMessage());
        }
    }

    /** YAML text as a tree; {@code source} names it in the message if it is not YAML. */
    static JsonNode yaml(String text, String source) {
        try {
            return YAML.readTree(text);
        } catch (IOException e) {
            throw new PolicyFileException(source + ": not valid YAML: " + e.getMessage());
        }
    }

    /** Parses YAML text; {@code source} names it in messages. */
    public static PolicyFile parse(String yaml, String source) {
        JsonNode root = yaml(yaml, source);
        Block block = new Block(tailSampling(root, source), source, "tail_sampling");
        block.allowOnly(
                "decision_wait",
                "num_traces",
                "expected_new_traces_per_sec",
                "decision_cache",
                "drop_pending_traces_on_shutdown",
                "policies");
        // Collector settings without a meaning here are read, checked and left alone (docs/policies.md).
        block.optionalLong("num_traces", 1, 0);
        block.optionalLong("expected_new_traces_per_sec", 0, 0);
        block.optionalBoolean("drop_pending_traces_on_shutdown", false);
        Block cache = block.optionalChild("decision_cache");
        if (cache != null) {
            cache.allowOnly("sampled_cache_size", "non_sampled_cache_size");
            cache.optionalLong("sampled_cache_size", 0, 0);
            cache.optionalLong("non_sampled_cache_size", 0, 0);
        }
        Duration decisionWait = block.optionalDuration("decision_wait");
        List<SamplingPolicy> policies = PolicyReader.readAll(block.requireList("policies"), source);
        if (policies.isEmpty()) {
            throw new PolicyFileException(source + ": 'policies' is empty; give at least one policy");
        }
        return new PolicyFile(decisionWait, new PolicySet(policies));
    }

    private static JsonNode tailSampling(JsonNode root, String source) {
        if (root == null || !root.isObject()) {
            throw new PolicyFileException(source + ": expected a YAML mapping with 'policies'");
        }
        JsonNode processors = root.get("processors");
        if (processors != null && processors.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = processors.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> processor = it.next();
                if (processor.getKey().equals("tail_sampling")
                        || processor.getKey().startsWith("tail_sampling/")) {
                    return processor.getValue();
                }
            }
            throw new PolicyFileException(source + ": the collector configuration has no tail_sampling processor");
        }
        JsonNode block = root.get("tail_sampling");
        return block != null ? block : root;
    }

    /** The names of a node's fields, for messages. */
    static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}

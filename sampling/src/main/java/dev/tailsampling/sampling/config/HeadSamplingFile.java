package dev.tailsampling.sampling.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailsampling.sampling.head.Condition;
import dev.tailsampling.sampling.head.Endpoints;
import dev.tailsampling.sampling.head.HeadRule;
import io.opentelemetry.contrib.sampler.consistent56.Composable;
import io.opentelemetry.contrib.sampler.consistent56.ConsistentSampler;
import io.opentelemetry.contrib.sampler.consistent56.Predicate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code head_sampling} block of a rules file (docs/sampling.md): named endpoint groups and an
 * ordered list of strategies ({@code attribute_based} rules, a {@code rate_limit} in traces per
 * second, a {@code probabilistic} rate), read strictly into {@link HeadRule}s. The same file may
 * hold the job's {@code tail_sampling} block beside it.
 */
public final class HeadSamplingFile {
    private static final String ALL_REQUESTS = "all_requests";
    private static final Duration DEFAULT_ADAPTATION = Duration.ofSeconds(5);

    private final List<HeadRule> rules;

    private HeadSamplingFile(List<HeadRule> rules) {
        this.rules = rules;
    }

    /** The rules in the order they are tried. */
    public List<HeadRule> rules() {
        return rules;
    }

    public static HeadSamplingFile load(Path file) {
        return parse(PolicyFile.read(file, "the head sampling rules"), file.toString());
    }

    /** Parses YAML text; {@code source} names it in messages. */
    public static HeadSamplingFile parse(String yaml, String source) {
        JsonNode root = PolicyFile.yaml(yaml, source);
        if (root == null || !root.isObject() || !root.has("head_sampling")) {
            throw new PolicyFileException(source + ": expected a YAML mapping with a 'head_sampling' block");
        }
        Block block = new Block(root.get("head_sampling"), source, "head_sampling");
        block.allowOnly("endpoint_groups", "strategies");
        Map<String, Endpoints> groups = endpointGroups(block.optionalChild("endpoint_groups"));
        List<HeadRule> rules = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (JsonNode entry : block.requireList("strategies")) {
            Block named = new Block(entry, source, "a strategy");
            String name = named.requireString("name");
            if (!names.add(name)) {
                throw named.problem("another strategy is named '" + name + "'");
            }
            Block strategy = new Block(entry, source, "strategy '" + name + "'");
            for (HeadRule rule : strategy(strategy, name, groups)) {
                HeadRule shadowing =
                        rules.stream().filter(HeadRule::catchAll).findFirst().orElse(null);
                if (shadowing != null) {
                    throw strategy.problem("is never reached: strategy '" + shadowing.strategy()
                            + "' before it applies to every span; put '" + name + "' first or narrow the other one");
                }
                rules.add(rule);
            }
        }
        if (rules.isEmpty()) {
            throw new PolicyFileException(source + ": head_sampling: 'strategies' is empty; give at least one");
        }
        return new HeadSamplingFile(List.copyOf(rules));
    }

    private static Map<String, Endpoints> endpointGroups(Block block) {
        Map<String, Endpoints> groups = new HashMap<>();
        if (block != null) {
            for (String group : PolicyFile.fieldNames(block.node)) {
                if (group.equals(ALL_REQUESTS)) {
                    throw block.problem("'" + ALL_REQUESTS + "' means every span and cannot name a group");
                }
                groups.put(group, new Endpoints(group, block.requireStrings(group)));
            }
        }
        return groups;
    }

    private static List<HeadRule> strategy(Block b, String name, Map<String, Endpoints> groups) {
        String type = b.requireString("type");
        switch (type) {
            case "probabilistic": {
                b.allowOnly("name", "type", "sample_rate", "applies_to");
                double rate = rate(b, b.requireDouble("sample_rate"));
                return List.of(applying(b, name, groups, ConsistentSampler.probabilityBased(rate)));
            }
            case "rate_limit": {
                b.allowOnly("name", "type", "traces_per_second", "applies_to", "adaptation_time");
                double perSecond = b.requireDouble("traces_per_second");
                if (!(perSecond > 0)) {
                    throw b.problem("'traces_per_second' must be above 0, was " + perSecond);
                }
                Duration adaptation = b.optionalDuration("adaptation_time");
                double seconds = (adaptation == null ? DEFAULT_ADAPTATION : adaptation).toMillis() / 1000.0;
                if (!(seconds > 0)) {
                    throw b.problem("'adaptation_time' must be above 0");
                }
                return List.of(applying(
                        b,
                        name,
                        groups,
                        ConsistentSampler.rateLimited(ConsistentSampler.alwaysOn(), perSecond, seconds)));
            }
            case "attribute_based": {
                b.allowOnly("name", "type", "rules");
                List<HeadRule> rules = new ArrayList<>();
                int i = 0;
                for (JsonNode item : b.requireList("rules")) {
                    rules.add(attributeRule(new Block(item, b.source, b.where + " rule " + ++i), name));
                }
                if (rules.isEmpty()) {
                    throw b.problem("'rules' is empty");
                }
                for (int r = 0; r < rules.size() - 1; r++) {
                    if (rules.get(r).catchAll()) {
                        throw b.problem("rule " + (r + 1) + " is the default and must come last");
                    }
                }
                return rules;
            }
            default:
                throw b.problem("unknown type '" + type + "'; known types: attribute_based, rate_limit, probabilistic");
        }
    }

    /**
     * {@code {condition, sample_rate}}, or the default: {@code {default: {sample_rate}}}, or
     * {@code default:} with {@code sample_rate} beside it.
     */
    private static HeadRule attributeRule(Block rule, String name) {
        if (rule.node.has("default")) {
            rule.allowOnly("default", "sample_rate");
            Block settings = rule.has("default") ? new Block(rule.node.get("default"), rule.source, rule.where) : rule;
            if (settings != rule) {
                settings.allowOnly("sample_rate");
                if (rule.has("sample_rate")) {
                    throw rule.problem("give 'sample_rate' once, under 'default' or beside it");
                }
            }
            double rate = rate(settings, settings.requireDouble("sample_rate"));
            return new HeadRule(name, "default", Predicate.anySpan(), ConsistentSampler.probabilityBased(rate), true);
        }
        rule.allowOnly("condition", "sample_rate");
        String text = rule.requireString("condition");
        Condition condition;
        try {
            condition = Condition.parse(text);
        } catch (IllegalArgumentException e) {
            throw rule.problem(e.getMessage());
        }
        double rate = rate(rule, rule.requireDouble("sample_rate"));
        return new HeadRule(name, text, condition, ConsistentSampler.probabilityBased(rate), false);
    }

    private static HeadRule applying(Block b, String name, Map<String, Endpoints> groups, Composable sampler) {
        String appliesTo = b.has("applies_to") ? b.requireString("applies_to") : ALL_REQUESTS;
        if (appliesTo.equals(ALL_REQUESTS)) {
            return new HeadRule(name, appliesTo, Predicate.anySpan(), sampler, true);
        }
        Endpoints group = groups.get(appliesTo);
        if (group == null) {
            throw b.problem("'applies_to' is '" + appliesTo + "': give " + ALL_REQUESTS
                    + " or a group of head_sampling.endpoint_groups"
                    + (groups.isEmpty() ? " (there are none)" : " " + groups.keySet()));
        }
        return new HeadRule(name, appliesTo, group, sampler, false);
    }

    private static double rate(Block b, double rate) {
        if (!(rate >= 0 && rate <= 1)) {
            throw b.problem("'sample_rate' must be from 0 to 1, was " + rate);
        }
        return rate;
    }
}

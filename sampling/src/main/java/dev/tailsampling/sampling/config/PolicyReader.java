package dev.tailsampling.sampling.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailsampling.sampling.SamplingPolicy;
import dev.tailsampling.sampling.policy.CompositePolicy;
import dev.tailsampling.sampling.policy.LearnedLatencyPolicy;
import dev.tailsampling.sampling.policy.Policies;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Reads {@code {name, type, <type>: {...}}} entries into policies, refusing anything unknown. */
final class PolicyReader {
    private static final Set<String> STATUS_CODES = Set.of("OK", "ERROR", "UNSET");

    private PolicyReader() {}

    static List<SamplingPolicy> readAll(JsonNode list, String source) {
        List<SamplingPolicy> policies = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (JsonNode entry : list) {
            SamplingPolicy policy = read(entry, source);
            if (!names.add(policy.name())) {
                throw new PolicyFileException(
                        source + ": policy '" + policy.name() + "': another policy has the same name");
            }
            policies.add(policy);
        }
        return policies;
    }

    static SamplingPolicy read(JsonNode entry, String source) {
        Block head = new Block(entry, source, "a policy");
        String name = head.requireString("name");
        Block named = new Block(entry, source, "policy '" + name + "'");
        String type = named.requireString("type");
        Block policy = new Block(entry, source, "policy '" + name + "' (" + type + ")");
        policy.allowOnly("name", "type", type);
        Block settings = policy.has(type) ? new Block(entry.get(type), source, policy.where) : null;
        switch (type) {
            case "always_sample":
                none(settings);
                return Policies.alwaysSample(name);
            case "trace_flags":
                none(settings);
                return Policies.traceFlags(name);
            case "latency":
                return latency(name, require(settings, policy));
            case "status_code":
                return statusCode(name, require(settings, policy));
            case "numeric_attribute":
                return numeric(name, require(settings, policy));
            case "string_attribute":
                return string(name, require(settings, policy));
            case "boolean_attribute": {
                Block b = require(settings, policy);
                b.allowOnly("key", "value", "invert_match");
                return Policies.booleanAttribute(
                        name, b.requireString("key"), b.requireBoolean("value"), b.optionalBoolean("invert_match", false));
            }
            case "probabilistic": {
                Block b = require(settings, policy);
                // hash_salt is accepted: the trace id's own random bits decide, to agree with head sampling.
                b.allowOnly("sampling_percentage", "hash_salt");
                double percentage = b.requireDouble("sampling_percentage");
                if (!(percentage >= 0 && percentage <= 100)) {
                    throw b.problem("'sampling_percentage' must be from 0 to 100, was " + percentage);
                }
                return Policies.probabilistic(name, percentage);
            }
            case "representative": {
                // The controller's per-service rate; sampling_percentage holds until it publishes one.
                Block b = require(settings, policy);
                b.allowOnly("sampling_percentage");
                double percentage = b.requireDouble("sampling_percentage");
                if (!(percentage >= 0 && percentage <= 100)) {
                    throw b.problem("'sampling_percentage' must be from 0 to 100, was " + percentage);
                }
                return SamplingPolicy.representative(name, percentage / 100.0);
            }
            case "rate_limiting": {
                Block b = require(settings, policy);
                b.allowOnly("spans_per_second");
                return Policies.rateLimiting(name, positive(b, "spans_per_second"));
            }
            case "bytes_limiting": {
                Block b = require(settings, policy);
                b.allowOnly("bytes_per_second", "burst_capacity");
                double perSecond = positive(b, "bytes_per_second");
                if (b.has("burst_capacity") && b.optionalDouble("burst_capacity", 0) < perSecond) {
                    throw b.problem("'burst_capacity' must be at least 'bytes_per_second'");
                }
                return Policies.bytesLimiting(name, perSecond);
            }
            case "span_count": {
                Block b = require(settings, policy);
                b.allowOnly("min_spans", "max_spans");
                long min = b.optionalLong("min_spans", 0, 0);
                long max = b.optionalLong("max_spans", 0, 0);
                if (max != 0 && max < min) {
                    throw b.problem("'max_spans' (" + max + ") is below 'min_spans' (" + min + ")");
                }
                return Policies.spanCount(name, (int) min, (int) max);
            }
            case "trace_state": {
                Block b = require(settings, policy);
                b.allowOnly("key", "values");
                return Policies.traceState(name, b.requireString("key"), b.requireStrings("values"));
            }
            case "learned_latency": {
                if (settings == null) {
                    return new LearnedLatencyPolicy(name, 0.95, 100, 0.01);
                }
                Block b = settings;
                b.allowOnly("quantile", "min_samples", "relative_accuracy");
                double quantile = b.optionalDouble("quantile", 0.95);
                double accuracy = b.optionalDouble("relative_accuracy", 0.01);
                if (!(quantile > 0 && quantile < 1)) {
                    throw b.problem("'quantile' must be between 0 and 1, was " + quantile);
                }
                if (!(accuracy > 0 && accuracy < 1)) {
                    throw b.problem("'relative_accuracy' must be between 0 and 1, was " + accuracy);
                }
                return new LearnedLatencyPolicy(name, quantile, b.optionalLong("min_samples", 1, 100), accuracy);
            }
            case "critical_operations": {
                Block b = require(settings, policy);
                b.allowOnly("operations");
                return Policies.criticalOperations(name, b.requireStrings("operations"));
            }
            case "and": {
                Block b = require(settings, policy);
                b.allowOnly("and_sub_policy");
                return Policies.and(name, readAll(b.requireList("and_sub_policy"), source));
            }
            case "drop": {
                Block b = require(settings, policy);
                b.allowOnly("drop_sub_policy");
                return Policies.drop(name, readAll(b.requireList("drop_sub_policy"), source));
            }
            case "not": {
                Block b = require(settings, policy);
                b.allowOnly("not_sub_policy");
                if (!b.has("not_sub_policy")) {
                    throw b.problem("'not_sub_policy' is required: the one policy to invert");
                }
                return Policies.not(name, read(b.node.get("not_sub_policy"), source));
            }
            case "composite":
                return composite(name, require(settings, policy), source);
            case "ottl_condition":
                throw policy.problem("OTTL conditions are not supported; express the condition with"
                        + " string_attribute, numeric_attribute, boolean_attribute or status_code");
            default:
                throw policy.problem("unknown policy type '" + type + "'; the types are always_sample,"
                        + " latency, status_code, numeric_attribute, string_attribute, boolean_attribute,"
                        + " probabilistic, rate_limiting, bytes_limiting, span_count, trace_state,"
                        + " trace_flags, critical_operations, learned_latency, representative, and, not,"
                        + " drop, composite");
        }
    }

    private static void none(Block settings) {
        if (settings != null) {
            settings.allowOnly();
        }
    }

    private static Block require(Block settings, Block policy) {
        if (settings == null) {
            throw policy.problem("its settings are missing");
        }
        return settings;
    }

    private static double positive(Block b, String field) {
        double value = b.requireDouble(field);
        if (!(value > 0)) {
            throw b.problem("'" + field + "' must be positive, was " + value);
        }
        return value;
    }

    private static SamplingPolicy latency(String name, Block b) {
        b.allowOnly("threshold_ms", "upper_threshold_ms");
        long threshold = b.optionalLong("threshold_ms", 0, 0);
        long upper = b.optionalLong("upper_threshold_ms", 0, 0);
        if (upper != 0 && upper <= threshold) {
            throw b.problem("'upper_threshold_ms' (" + upper + ") must be above 'threshold_ms' (" + threshold + ")");
        }
        return Policies.latency(name, threshold, upper);
    }

    private static SamplingPolicy statusCode(String name, Block b) {
        b.allowOnly("status_codes");
        Set<String> codes = new LinkedHashSet<>(b.requireStrings("status_codes"));
        for (String code : codes) {
            if (!STATUS_CODES.contains(code)) {
                throw b.problem("status code '" + code + "' is not one of OK, ERROR, UNSET");
            }
        }
        return Policies.statusCode(name, codes);
    }

    private static SamplingPolicy numeric(String name, Block b) {
        b.allowOnly("key", "min_value", "max_value", "invert_match");
        if (!b.has("min_value") && !b.has("max_value")) {
            throw b.problem("give 'min_value', 'max_value' or both");
        }
        double min = b.optionalDouble("min_value", Double.NEGATIVE_INFINITY);
        double max = b.optionalDouble("max_value", Double.POSITIVE_INFINITY);
        if (max < min) {
            throw b.problem("'max_value' (" + max + ") is below 'min_value' (" + min + ")");
        }
        return Policies.numericAttribute(
                name, b.requireString("key"), min, max, b.optionalBoolean("invert_match", false));
    }

    private static SamplingPolicy string(String name, Block b) {
        // cache_max_size is accepted: compiled patterns need no cache here.
        b.allowOnly("key", "values", "enabled_regex_matching", "cache_max_size", "invert_match");
        List<String> values = b.requireStrings("values");
        boolean regex = b.optionalBoolean("enabled_regex_matching", false);
        b.optionalLong("cache_max_size", 0, 0);
        if (regex) {
            for (String value : values) {
                try {
                    Pattern.compile(value);
                } catch (PatternSyntaxException e) {
                    throw b.problem("'" + value + "' is not a valid regular expression: " + e.getDescription());
                }
            }
        }
        return Policies.stringAttribute(
                name, b.requireString("key"), values, regex, b.optionalBoolean("invert_match", false));
    }

    private static SamplingPolicy composite(String name, Block b, String source) {
        b.allowOnly("max_total_spans_per_second", "policy_order", "composite_sub_policy", "rate_allocation");
        double total = positive(b, "max_total_spans_per_second");
        List<SamplingPolicy> subPolicies = readAll(b.requireList("composite_sub_policy"), source);
        Map<String, SamplingPolicy> byName = new HashMap<>();
        subPolicies.forEach(p -> byName.put(p.name(), p));
        List<SamplingPolicy> ordered = new ArrayList<>();
        if (b.has("policy_order")) {
            for (String policyName : b.requireStrings("policy_order")) {
                SamplingPolicy sub = byName.get(policyName);
                if (sub == null) {
                    throw b.problem("'policy_order' names '" + policyName + "', which is not a composite_sub_policy");
                }
                ordered.add(sub);
            }
            if (ordered.size() != subPolicies.size()) {
                throw b.problem("'policy_order' must list every composite_sub_policy once");
            }
        } else {
            ordered.addAll(subPolicies);
        }
        Map<String, Double> allocation = new HashMap<>();
        double percentSum = 0;
        if (b.has("rate_allocation")) {
            for (JsonNode item : b.requireList("rate_allocation")) {
                Block share = new Block(item, source, b.where + ".rate_allocation");
                share.allowOnly("policy", "percent");
                String policyName = share.requireString("policy");
                if (!byName.containsKey(policyName)) {
                    throw share.problem("'" + policyName + "' is not a composite_sub_policy");
                }
                double percent = share.optionalDouble("percent", 0);
                if (percent < 0 || percent > 100) {
                    throw share.problem("'percent' must be from 0 to 100, was " + percent);
                }
                percentSum += percent;
                allocation.put(policyName, percent > 0 ? percent / 100 * total : total / subPolicies.size());
            }
        }
        if (percentSum > 100) {
            throw b.problem("the rate_allocation percents add up to " + percentSum + ", more than 100");
        }
        List<Double> rates = new ArrayList<>();
        ordered.forEach(p -> rates.add(allocation.getOrDefault(p.name(), 0.0)));
        return new CompositePolicy(name, ordered, rates);
    }
}

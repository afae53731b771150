package dev.tailsampling.sampling.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tailsampling.sampling.SamplingPolicy;
import dev.tailsampling.sampling.policy.AlwaysSamplePolicy;
import dev.tailsampling.sampling.policy.AndPolicy;
import dev.tailsampling.sampling.policy.BooleanAttributePolicy;
import dev.tailsampling.sampling.policy.CompositePolicy;
import dev.tailsampling.sampling.policy.CriticalOperationsPolicy;
import dev.tailsampling.sampling.policy.DropPolicy;
import dev.tailsampling.sampling.policy.LatencyPolicy;
import dev.tailsampling.sampling.policy.LearnedLatencyPolicy;
import dev.tailsampling.sampling.policy.NotPolicy;
import dev.tailsampling.sampling.policy.NumericAttributePolicy;
import dev.tailsampling.sampling.policy.ProbabilisticPolicy;
import dev.tailsampling.sampling.policy.RateLimitingPolicy;
import dev.tailsampling.sampling.policy.RepresentativePolicy;
import dev.tailsampling.sampling.policy.SpanCountPolicy;
import dev.tailsampling.sampling.policy.StatusCodePolicy;
import dev.tailsampling.sampling.policy.StringAttributePolicy;
import dev.tailsampling.sampling.policy.TraceFlagsPolicy;
import dev.tailsampling.sampling.policy.TraceStatePolicy;
import dev.tailsampling.sampling.policy.UnusualPathPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads {@code {name, type, <type>: {...}}} entries into policies, refusing anything unknown. The
 * file's units are the collector's (percentages, milliseconds); the policies take fractions and
 * durations.
 */
final class PolicyReader {
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
        try {
            return build(name, type, policy, settings, source);
        } catch (PolicyFileException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            // What the policy itself refuses, said where it stands in the file.
            throw policy.problem(e.getMessage());
        }
    }

    private static SamplingPolicy build(String name, String type, Block policy, Block settings, String source) {
        switch (type) {
            case "always_sample":
                none(settings);
                return new AlwaysSamplePolicy(name);
            case "trace_flags":
                none(settings);
                return new TraceFlagsPolicy(name);
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
                return new BooleanAttributePolicy(
                        name,
                        b.requireString("key"),
                        b.requireBoolean("value"),
                        b.optionalBoolean("invert_match", false));
            }
            case "probabilistic": {
                Block b = require(settings, policy);
                // hash_salt is accepted: the trace id's own random bits decide, to agree with head sampling.
                b.allowOnly("sampling_percentage", "hash_salt");
                return new ProbabilisticPolicy(name, fraction(b, "sampling_percentage"));
            }
            case "representative": {
                // The controller's per-service rate; sampling_percentage holds until it publishes one.
                Block b = require(settings, policy);
                b.allowOnly("sampling_percentage");
                return new RepresentativePolicy(name, fraction(b, "sampling_percentage"));
            }
            case "rate_limiting": {
                Block b = require(settings, policy);
                b.allowOnly("spans_per_second");
                return new RateLimitingPolicy(name, positive(b, "spans_per_second"), RateLimitingPolicy.Unit.SPANS);
            }
            case "bytes_limiting": {
                Block b = require(settings, policy);
                b.allowOnly("bytes_per_second", "burst_capacity");
                double perSecond = positive(b, "bytes_per_second");
                if (b.has("burst_capacity") && b.optionalDouble("burst_capacity", 0) < perSecond) {
                    throw b.problem("'burst_capacity' must be at least 'bytes_per_second'");
                }
                return new RateLimitingPolicy(name, perSecond, RateLimitingPolicy.Unit.BYTES);
            }
            case "span_count": {
                Block b = require(settings, policy);
                b.allowOnly("min_spans", "max_spans");
                long min = b.optionalLong("min_spans", 0, 0);
                long max = b.optionalLong("max_spans", 0, 0);
                return new SpanCountPolicy(name, (int) min, (int) max);
            }
            case "trace_state": {
                Block b = require(settings, policy);
                b.allowOnly("key", "values");
                return new TraceStatePolicy(name, b.requireString("key"), b.requireStrings("values"));
            }
            case "learned_latency": {
                if (settings == null) {
                    return new LearnedLatencyPolicy(name, 0.95, 100, 0.01);
                }
                Block b = settings;
                b.allowOnly("quantile", "min_samples", "relative_accuracy");
                double quantile = b.optionalDouble("quantile", 0.95);
                double accuracy = b.optionalDouble("relative_accuracy", 0.01);
                return new LearnedLatencyPolicy(name, quantile, b.optionalLong("min_samples", 1, 100), accuracy);
            }
            case "unusual_path": {
                Block b = settings == null
                        ? new Block(JsonNodeFactory.instance.objectNode(), source, policy.where)
                        : settings;
                b.allowOnly("max_share", "min_traces", "window", "max_signatures");
                double maxShare = b.optionalDouble("max_share", 0.001);
                if (!(maxShare > 0 && maxShare < 1)) {
                    throw b.problem(
                            "'max_share' must be between 0 and 1 (a share of a root's traces), was " + maxShare);
                }
                long atThreshold = (long) Math.ceil(1 / maxShare);
                Duration window = b.optionalDuration("window");
                if (window != null && window.isZero()) {
                    throw b.problem("'window' must be longer than 0, the half-life of what the policy learned");
                }
                return new UnusualPathPolicy(
                        name,
                        maxShare,
                        b.optionalLong("min_traces", 1, 1000),
                        window == null ? Duration.ofHours(1) : window,
                        // Room for every signature at the threshold (their shares add up to at most 1).
                        (int) b.optionalLong("max_signatures", atThreshold, Math.max(2000, 2 * atThreshold)));
            }
            case "critical_operations": {
                Block b = require(settings, policy);
                b.allowOnly("operations");
                return new CriticalOperationsPolicy(name, b.requireStrings("operations"));
            }
            case "and": {
                Block b = require(settings, policy);
                b.allowOnly("and_sub_policy");
                return new AndPolicy(name, readAll(b.requireList("and_sub_policy"), source));
            }
            case "drop": {
                Block b = require(settings, policy);
                b.allowOnly("drop_sub_policy");
                return new DropPolicy(name, readAll(b.requireList("drop_sub_policy"), source));
            }
            case "not": {
                Block b = require(settings, policy);
                b.allowOnly("not_sub_policy");
                if (!b.has("not_sub_policy")) {
                    throw b.problem("'not_sub_policy' is required: the one policy to invert");
                }
                return new NotPolicy(name, read(b.node.get("not_sub_policy"), source));
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
                        + " trace_flags, critical_operations, learned_latency, unusual_path, representative, and, not,"
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

    /** A percentage from 0 to 100, as the fraction the policies take. */
    private static double fraction(Block b, String field) {
        double percentage = b.requireDouble(field);
        if (!(percentage >= 0 && percentage <= 100)) {
            throw b.problem("'" + field + "' must be from 0 to 100, was " + percentage);
        }
        return percentage / 100.0;
    }

    private static SamplingPolicy latency(String name, Block b) {
        b.allowOnly("threshold_ms", "upper_threshold_ms");
        long threshold = b.optionalLong("threshold_ms", 0, 0);
        long upper = b.optionalLong("upper_threshold_ms", 0, 0);
        return new LatencyPolicy(name, Duration.ofMillis(threshold), Duration.ofMillis(upper));
    }

    private static SamplingPolicy statusCode(String name, Block b) {
        b.allowOnly("status_codes");
        return new StatusCodePolicy(name, new LinkedHashSet<>(b.requireStrings("status_codes")));
    }

    private static SamplingPolicy numeric(String name, Block b) {
        b.allowOnly("key", "min_value", "max_value", "invert_match");
        if (!b.has("min_value") && !b.has("max_value")) {
            throw b.problem("give 'min_value', 'max_value' or both");
        }
        double min = b.optionalDouble("min_value", Double.NEGATIVE_INFINITY);
        double max = b.optionalDouble("max_value", Double.POSITIVE_INFINITY);
        return new NumericAttributePolicy(
                name, b.requireString("key"), min, max, b.optionalBoolean("invert_match", false));
    }

    private static SamplingPolicy string(String name, Block b) {
        // cache_max_size is accepted: compiled patterns need no cache here.
        b.allowOnly("key", "values", "enabled_regex_matching", "cache_max_size", "invert_match");
        List<String> values = b.requireStrings("values");
        boolean regex = b.optionalBoolean("enabled_regex_matching", false);
        b.optionalLong("cache_max_size", 0, 0);
        return new StringAttributePolicy(
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

package dev.tailsampling.sampling.policy;

import dev.tailsampling.sampling.Decision;
import dev.tailsampling.sampling.PolicyContext;
import dev.tailsampling.sampling.SamplingPolicy;
import dev.tailsampling.sampling.Span;
import dev.tailsampling.sampling.TraceView;
import java.util.List;
import java.util.Set;
import java.io.Serializable;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The tail-sampling policy types of the OpenTelemetry Collector's {@code tail_sampling} processor,
 * with its semantics, plus {@code critical_operations}. Each is a small evaluator; combinators are
 * policies too.
 */
public final class Policies {
    private Policies() {}

    // Policies travel to every subtask inside the job graph, so their conditions are serializable.
    private interface SpanMatch extends Predicate<Span>, Serializable {}

    private interface ValueMatch extends Predicate<String>, Serializable {}

    /** Base for policies that are named and stateless. */
    private abstract static class Named implements SamplingPolicy {
        private static final long serialVersionUID = 1L;
        final String name;

        Named(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        Decision keep(String reason) {
            return Decision.sampled(name, reason, 1.0);
        }
    }

    public static SamplingPolicy alwaysSample(String name) {
        return new Named(name) {
            @Override
            public Decision evaluate(TraceView trace) {
                return keep("always sample");
            }
        };
    }

    /**
     * Duration from the earliest start to the latest end, in whole milliseconds: at least {@code
     * thresholdMs}, or with an upper bound, above {@code thresholdMs} and at most {@code upperMs}.
     */
    public static SamplingPolicy latency(String name, long thresholdMs, long upperMs) {
        return new Named(name) {
            @Override
            public Decision evaluate(TraceView trace) {
                long ms = trace.summary().durationNanos() / 1_000_000L;
                boolean match = upperMs == 0 ? ms >= thresholdMs : ms > thresholdMs && ms <= upperMs;
                return match ? keep("duration " + ms + " ms") : Decision.notSampled();
            }
        };
    }

    /** Any span's status code (UNSET, OK, ERROR) is in {@code codes}. */
    public static SamplingPolicy statusCode(String name, Set<String> codes) {
        return anySpan(name, s -> codes.contains(s.statusCode), "status code in " + codes);
    }

    /** Any span's (or its resource's) attribute {@code key} is a number in [min, max]. */
    public static SamplingPolicy numericAttribute(
            String name, String key, double min, double max, boolean invert) {
        SpanMatch match =
                s -> {
                    Double value = number(s.attribute(key));
                    return value != null && value >= min && value <= max;
                };
        return attributeMatch(name, match, invert, key + " in [" + min + ", " + max + "]");
    }

    /** Any span's attribute {@code key} equals one of {@code values}, or matches one as a regex. */
    public static SamplingPolicy stringAttribute(
            String name, String key, List<String> values, boolean regex, boolean invert) {
        ValueMatch valueMatch;
        if (regex) {
            List<Pattern> patterns = values.stream().map(Pattern::compile).toList();
            valueMatch = v -> patterns.stream().anyMatch(p -> p.matcher(v).find());
        } else {
            Set<String> exact = Set.copyOf(values);
            valueMatch = exact::contains;
        }
        SpanMatch match =
                s -> {
                    String value = s.attribute(key);
                    return value != null && valueMatch.test(value);
                };
        return attributeMatch(name, match, invert, key + " matches " + values);
    }

    /** Any span's attribute {@code key} is the boolean {@code value}. */
    public static SamplingPolicy booleanAttribute(
            String name, String key, boolean value, boolean invert) {
        String expected = Boolean.toString(value);
        return attributeMatch(
                name, s -> expected.equalsIgnoreCase(s.attribute(key)), invert, key + " is " + value);
    }

    /** Any span's W3C tracestate has {@code key} with one of {@code values}. */
    public static SamplingPolicy traceState(String name, String key, List<String> values) {
        Set<String> accepted = Set.copyOf(values);
        return anySpan(
                name,
                s -> {
                    for (String member : s.traceState.split(",")) {
                        int eq = member.indexOf('=');
                        if (eq > 0
                                && member.substring(0, eq).trim().equals(key)
                                && accepted.contains(member.substring(eq + 1).trim())) {
                            return true;
                        }
                    }
                    return false;
                },
                "tracestate " + key + " in " + values);
    }

    /** Any span has the W3C sampled flag. */
    public static SamplingPolicy traceFlags(String name) {
        return anySpan(name, s -> (s.flags & 0x01) != 0, "sampled flag set");
    }

    /** At least {@code min} spans and, if {@code max} is not 0, at most {@code max}. */
    public static SamplingPolicy spanCount(String name, int min, int max) {
        return new Named(name) {
            @Override
            public Decision evaluate(TraceView trace) {
                int count = trace.summary().spanCount;
                boolean match = count >= min && (max == 0 || count <= max);
                return match ? keep(count + " spans") : Decision.notSampled();
            }
        };
    }

    /** Any span's service and operation is one of {@code operations} ("service" or "service/operation"). */
    public static SamplingPolicy criticalOperations(String name, List<String> operations) {
        Set<String> wanted = Set.copyOf(operations);
        return anySpan(
                name,
                s -> wanted.contains(s.serviceName) || wanted.contains(s.serviceName + "/" + s.operationName),
                "a critical operation");
    }

    /** Keeps the fraction {@code percentage / 100} by the trace id's random bits. */
    public static SamplingPolicy probabilistic(String name, double percentage) {
        return SamplingPolicy.probabilistic(name, percentage / 100.0);
    }

    /** Spans per second for the whole job, kept as an unbiased consistent-probability sample. */
    public static SamplingPolicy rateLimiting(String name, double spansPerSecond) {
        return new RateLimited(name, new AdaptiveRate(spansPerSecond), false);
    }

    /** Encoded bytes per second for the whole job, kept likewise. */
    public static SamplingPolicy bytesLimiting(String name, double bytesPerSecond) {
        return new RateLimited(name, new AdaptiveRate(bytesPerSecond), true);
    }

    /** Keeps when every sub-policy keeps; the probability is the smallest of theirs. */
    public static SamplingPolicy and(String name, List<SamplingPolicy> subPolicies) {
        return new Combinator(name, subPolicies) {
            @Override
            public Decision evaluate(TraceView trace) {
                double probability = 1.0;
                for (SamplingPolicy sub : subPolicies) {
                    Decision decision = sub.evaluate(trace);
                    if (!decision.keeps()) {
                        return Decision.notSampled();
                    }
                    probability = Math.min(probability, decision.probability());
                }
                return Decision.sampled(name, "all of " + subPolicies.size() + " policies", probability);
            }
        };
    }

    /** Keeps when the sub-policy does not, and the other way round. */
    public static SamplingPolicy not(String name, SamplingPolicy subPolicy) {
        return new Combinator(name, List.of(subPolicy)) {
            @Override
            public Decision evaluate(TraceView trace) {
                return subPolicy.evaluate(trace).keeps()
                        ? Decision.notSampled()
                        : keep("not " + subPolicy.name());
            }
        };
    }

    /** Vetoes the trace when every sub-policy keeps it. */
    public static SamplingPolicy drop(String name, List<SamplingPolicy> subPolicies) {
        return new Combinator(name, subPolicies) {
            @Override
            public Decision evaluate(TraceView trace) {
                for (SamplingPolicy sub : subPolicies) {
                    if (!sub.evaluate(trace).keeps()) {
                        return Decision.notSampled();
                    }
                }
                return Decision.dropped(name, "all of " + subPolicies.size() + " drop conditions hold");
            }
        };
    }

    private static SamplingPolicy anySpan(String name, SpanMatch match, String reason) {
        return new Named(name) {
            @Override
            public Decision evaluate(TraceView trace) {
                return trace.spans().stream().anyMatch(match) ? keep(reason) : Decision.notSampled();
            }
        };
    }

    /** Attribute policies: with {@code invert}, a match is a veto and no match keeps (deprecated rule). */
    private static SamplingPolicy attributeMatch(
            String name, SpanMatch match, boolean invert, String reason) {
        if (!invert) {
            return anySpan(name, match, reason);
        }
        return new Named(name) {
            @Override
            public Decision evaluate(TraceView trace) {
                boolean any = trace.spans().stream().anyMatch(match);
                return Decision.inverted(name, !any, (any ? "" : "no span: ") + reason);
            }
        };
    }

    private static Double number(String value) {
        if (value == null) {
            return null;
        }
        try {
            return Double.valueOf(value.trim());
        } catch (NumberFormatException notANumber) {
            return null;
        }
    }

    /** A policy over sub-policies. */
    abstract static class Combinator extends Named {
        private static final long serialVersionUID = 1L;
        final List<SamplingPolicy> subPolicies;

        Combinator(String name, List<SamplingPolicy> subPolicies) {
            super(name);
            this.subPolicies = List.copyOf(subPolicies);
        }

        @Override
        public List<SamplingPolicy> subPolicies() {
            return subPolicies;
        }
    }

    /** Keeps a consistent-probability sample sized to the rate budget. */
    private static final class RateLimited extends Named {
        private static final long serialVersionUID = 1L;
        private final AdaptiveRate rate;
        private final boolean bytes;

        RateLimited(String name, AdaptiveRate rate, boolean bytes) {
            super(name);
            this.rate = rate;
            this.bytes = bytes;
        }

        @Override
        public void open(PolicyContext context) {
            rate.open(context);
        }

        @Override
        public Decision evaluate(TraceView trace) {
            double p = rate.arrive(bytes ? trace.summary().byteCount : trace.summary().spanCount);
            return trace.sampledAt(p)
                    ? Decision.sampled(name, "within the rate limit at p=" + p, p)
                    : Decision.notSampled();
        }
    }
}

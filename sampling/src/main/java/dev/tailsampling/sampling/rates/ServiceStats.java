package dev.tailsampling.sampling.rates;

import dev.tailsampling.sampling.Decision;
import dev.tailsampling.sampling.TraceSummary;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * What the sampler saw and kept of one root service's traces over a window: the record of the
 * {@code sampling_stats} topic that the budget controller allocates from. One decided trace is a
 * record too ({@link #ofDecision}); windows add them up ({@link #add}). Traces without a root span
 * count under the key {@value SamplingRate#DEFAULT_KEY}, the rate that applies to them.
 *
 * <p>"Deterministic" keeps are those of every policy other than the representative sample: their
 * volume does not follow the controller's rate, so it counts against the budget first. The counts
 * are of traces that passed the pre-sampling stage, at {@link #presampleRate}.
 */
public class ServiceStats {
    public String service;
    public long windowStartMillis;
    public long windowEndMillis;
    public long tracesSeen;
    public long tracesKeptDeterministic;
    public long tracesKeptRepresentative;
    public long spansSeen;
    public long bytesSeen;
    public long spansKept;
    public long bytesKept;
    public long spansKeptDeterministic;
    public long bytesKeptDeterministic;
    /**
     * Representative keeps the sampler's budget guard thinned away (traces, spans, bytes): the
     * controller's rate would have kept them, the budget of that second had no room.
     */
    public long tracesThrottled;

    public long spansThrottled;
    public long bytesThrottled;
    /** What each policy of the live file kept, by the policy that named the decision. */
    public Map<String, PolicyKeeps> keptByPolicy = new HashMap<>();
    /**
     * What each policy of the shadow file ({@code --sampling.shadow-policies}) would have kept of
     * the same traces; empty without one.
     */
    public Map<String, PolicyKeeps> shadowKeptByPolicy = new HashMap<>();
    /** The lowest pre-sampling rate the window's traces passed at. */
    public double presampleRate = 1.0;

    public ServiceStats() {}

    /**
     * One decided trace: kept by the representative sample when one of {@code representativePolicies}
     * named the decision, kept deterministically when any other policy did, else dropped.
     */
    public static ServiceStats ofDecision(
            TraceSummary trace, Decision decision, Set<String> representativePolicies, double presampleRate) {
        boolean representative = decision.keeps() && representativePolicies.contains(decision.policy());
        boolean deterministic = decision.keeps() && !representative;
        ServiceStats stats = new ServiceStats();
        stats.service = trace.rootService != null ? trace.rootService : SamplingRate.DEFAULT_KEY;
        stats.tracesSeen = 1;
        stats.spansSeen = trace.spanCount;
        stats.bytesSeen = trace.byteCount;
        if (decision.keeps()) {
            stats.spansKept = trace.spanCount;
            stats.bytesKept = trace.byteCount;
            stats.keptByPolicy.put(decision.policy(), PolicyKeeps.of(trace));
        }
        if (deterministic) {
            stats.tracesKeptDeterministic = 1;
            stats.spansKeptDeterministic = trace.spanCount;
            stats.bytesKeptDeterministic = trace.byteCount;
        } else if (representative) {
            stats.tracesKeptRepresentative = 1;
        }
        stats.presampleRate = presampleRate;
        return stats;
    }

    /** Counts the record's trace as a representative keep that the budget guard thinned away. */
    public ServiceStats throttled(TraceSummary trace) {
        tracesThrottled = 1;
        spansThrottled = trace.spanCount;
        bytesThrottled = trace.byteCount;
        return this;
    }

    /** Counts the record's trace as kept by the shadow file's policy {@code policy}. */
    public ServiceStats shadowKept(String policy, TraceSummary trace) {
        shadowKeptByPolicy.put(policy, PolicyKeeps.of(trace));
        return this;
    }

    /** Adds {@code other}'s counts to this record's, in place; the window grows to cover both. */
    public ServiceStats add(ServiceStats other) {
        if (other.windowEndMillis != 0) {
            windowStartMillis = windowEndMillis == 0
                    ? other.windowStartMillis
                    : Math.min(windowStartMillis, other.windowStartMillis);
            windowEndMillis = Math.max(windowEndMillis, other.windowEndMillis);
        }
        tracesSeen += other.tracesSeen;
        tracesKeptDeterministic += other.tracesKeptDeterministic;
        tracesKeptRepresentative += other.tracesKeptRepresentative;
        spansSeen += other.spansSeen;
        bytesSeen += other.bytesSeen;
        spansKept += other.spansKept;
        bytesKept += other.bytesKept;
        spansKeptDeterministic += other.spansKeptDeterministic;
        bytesKeptDeterministic += other.bytesKeptDeterministic;
        tracesThrottled += other.tracesThrottled;
        spansThrottled += other.spansThrottled;
        bytesThrottled += other.bytesThrottled;
        other.keptByPolicy.forEach((policy, keeps) -> keptByPolicy.merge(policy, keeps, PolicyKeeps::plus));
        other.shadowKeptByPolicy.forEach((policy, keeps) -> shadowKeptByPolicy.merge(policy, keeps, PolicyKeeps::plus));
        presampleRate = Math.min(presampleRate, other.presampleRate);
        return this;
    }

    /** A copy with the same service and no counts, to add windows into. */
    public static ServiceStats empty(String service) {
        ServiceStats stats = new ServiceStats();
        stats.service = service;
        return stats;
    }

    /** Checks the fields a reader relies on; the message says which field is wrong. */
    public ServiceStats validate() {
        if (service == null || service.isBlank()) {
            throw new IllegalArgumentException("service is missing");
        }
        if (tracesSeen < 0 || spansSeen < 0 || bytesSeen < 0 || spansKept < 0 || bytesKept < 0) {
            throw new IllegalArgumentException("counts must not be negative");
        }
        if (!(presampleRate > 0.0 && presampleRate <= 1.0)) {
            throw new IllegalArgumentException("presample_rate must be in (0, 1], was " + presampleRate);
        }
        if (keptByPolicy == null || keptByPolicy.containsValue(null)) {
            throw new IllegalArgumentException("kept_by_policy must be an object of policy counts");
        }
        if (shadowKeptByPolicy == null || shadowKeptByPolicy.containsValue(null)) {
            throw new IllegalArgumentException("shadow_kept_by_policy must be an object of policy counts");
        }
        return this;
    }
}

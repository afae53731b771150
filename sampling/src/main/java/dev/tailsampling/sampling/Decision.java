package dev.tailsampling.sampling;

import java.util.Objects;

/** The outcome of a policy or of a whole policy set for one trace, with its reason. */
public final class Decision {

    /** What happens to the trace. */
    public enum Outcome {
        /** Keep the trace. */
        SAMPLED,
        /** This policy does not keep it; later policies may. */
        NOT_SAMPLED,
        /** Drop the trace whatever other policies say (a veto). */
        DROPPED,
        /**
         * An attribute policy with {@code invert_match} found no match: keeps the trace at the top
         * level only if no other policy said {@link #NOT_SAMPLED} (the collector's deprecated rule).
         */
        INVERTED_SAMPLED,
        /** An attribute policy with {@code invert_match} found a match: a veto at the top level. */
        INVERTED_NOT_SAMPLED
    }

    private static final Decision NOT_SAMPLED = new Decision(Outcome.NOT_SAMPLED, "", "no policy kept the trace", 0.0);

    private final Outcome outcome;
    private final String policy;
    private final String reason;
    private final double probability;

    private Decision(Outcome outcome, String policy, String reason, double probability) {
        this.outcome = outcome;
        this.policy = policy;
        this.reason = reason;
        this.probability = probability;
    }

    /** Keeps the trace; {@code probability} is the chance this policy had of keeping it. */
    public static Decision sampled(String policy, String reason, double probability) {
        if (!(probability > 0.0 && probability <= 1.0)) {
            throw new IllegalArgumentException("probability must be in (0, 1], was " + probability + " for " + policy);
        }
        return new Decision(Outcome.SAMPLED, policy, reason, probability);
    }

    public static Decision notSampled() {
        return NOT_SAMPLED;
    }

    public static Decision dropped(String policy, String reason) {
        return new Decision(Outcome.DROPPED, policy, reason, 0.0);
    }

    /** The result of an inverted match; see {@link Outcome#INVERTED_SAMPLED}. */
    public static Decision inverted(String policy, boolean sampled, String reason) {
        return new Decision(
                sampled ? Outcome.INVERTED_SAMPLED : Outcome.INVERTED_NOT_SAMPLED, policy, reason, sampled ? 1.0 : 0.0);
    }

    /**
     * Whether the trace is kept. An inverted keep counts as one inside {@code and}, {@code not},
     * {@code drop} and {@code composite}; a {@link PolicySet} turns it into a plain keep or a veto,
     * so what the set decides is kept exactly when this says so.
     */
    public boolean keeps() {
        return outcome == Outcome.SAMPLED || outcome == Outcome.INVERTED_SAMPLED;
    }

    public Outcome outcome() {
        return outcome;
    }

    /** Name of the deciding policy, empty when none decided. */
    public String policy() {
        return policy;
    }

    public String reason() {
        return reason;
    }

    /** Probability of keeping: 1 for deterministic policies, 0 unless sampled. */
    public double probability() {
        return probability;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Decision)) {
            return false;
        }
        Decision other = (Decision) o;
        return outcome == other.outcome
                && policy.equals(other.policy)
                && reason.equals(other.reason)
                && Double.compare(probability, other.probability) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(outcome, policy, reason, probability);
    }

    @Override
    public String toString() {
        return outcome + "(" + policy + ", p=" + probability + ": " + reason + ")";
    }
}

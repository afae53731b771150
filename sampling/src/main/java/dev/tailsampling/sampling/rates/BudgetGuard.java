package dev.tailsampling.sampling.rates;

import dev.tailsampling.sampling.Decision;
import dev.tailsampling.sampling.PolicyContext;
import dev.tailsampling.sampling.PolicySet;
import dev.tailsampling.sampling.TraceSummary;
import dev.tailsampling.sampling.TraceView;
import java.util.Set;

/**
 * Holds one subtask's representative keeps to its share of the budget, second by second, between
 * the controller's capped steps. The controller moves a rate by at most its cap per step, so after
 * a surge the kept volume would stay over the budget for many steps; the guard thins the
 * representative sample at once instead.
 *
 * <p>Each second it looks at the second before: the budget's share of this subtask (the job-wide
 * budget the controller publishes, divided by the parallelism, which sees an equal share of the
 * traces because they are spread by a hash of the trace id), less what rules kept, is what the
 * representative sample may keep; if the sample at the controller's rates kept more, the guard
 * keeps the fraction {@code factor} of it. It tests the trace id's bits against the
 * representative rate times that factor, so a guarded keep is still a consistent-probability keep
 * and its recorded probability is the product of the stages: weights stay exact. Keeps by rules
 * (errors, slow traces, critical operations) are never thinned; when they alone pass the budget
 * the factor is at its lowest and pre-sampling is the controller's lever, as without the guard.
 *
 * <p>Plain Java, one per subtask; its {@link PolicyContext} gives the parallelism and the rates,
 * the caller the time of each decision.
 */
public final class BudgetGuard {
    /** The lowest factor: the sample thins but never vanishes, so every service can still be estimated. */
    public static final double MIN_FACTOR = 0.001;

    private final PolicyContext context;
    private long second = Long.MIN_VALUE;
    private double deterministic;
    private double representative;
    private double factor = 1.0;

    public BudgetGuard(PolicyContext context) {
        this.context = context;
    }

    /** A trace decided by a policy set and the guard, with its counts for the controller. */
    public record Decided(Decision decision, ServiceStats stats) {}

    /**
     * Decides {@code trace} by {@code policy} at {@code nowMillis}, a keep by one of {@code
     * representative} (the set's {@link PolicySet#representativeNames()}) thinned by the guard, and
     * counts it for the controller, a thinned keep as throttled.
     */
    public Decided decide(PolicySet policy, Set<String> representative, TraceView trace, long nowMillis) {
        Decision evaluated = policy.evaluate(trace);
        boolean representativeKeep = evaluated.keeps() && representative.contains(evaluated.policy());
        Decision decision = apply(trace, evaluated, representativeKeep, nowMillis);
        TraceSummary summary = trace.summary();
        ServiceStats stats = ServiceStats.ofDecision(summary, decision, representative, summary.presampleRate);
        if (representativeKeep && !decision.keeps()) {
            stats.throttled(summary);
        }
        return new Decided(decision, stats);
    }

    /**
     * The decision after the guard: {@code decision} itself unless it is a representative keep
     * ({@code representativeKeep}) that the guard thins away, then not sampled; a representative
     * keep that stays records the product of the rate and the guard's factor. {@code nowMillis} is
     * the decision's time.
     */
    public Decision apply(TraceView trace, Decision decision, boolean representativeKeep, long nowMillis) {
        SamplingRates rates = context.rates();
        double budget = rates.budgetPerSecond();
        roll(nowMillis, budget);
        if (!decision.keeps() || budget <= 0) {
            return decision;
        }
        long units = rates.budgetInBytes() ? trace.summary().byteCount : trace.summary().spanCount;
        if (!representativeKeep) {
            deterministic += units;
            return decision;
        }
        representative += units;
        if (factor >= 1.0) {
            return decision;
        }
        double probability = decision.probability() * factor;
        return trace.sampledAt(probability)
                ? Decision.sampled(
                        decision.policy(),
                        decision.reason() + ", thinned to " + factor + " by the budget guard",
                        probability)
                : Decision.notSampled();
    }

    /** The fraction of the representative sample kept this second: 1 while the budget holds. */
    public double factor() {
        return factor;
    }

    /** At a new second, the factor for it from what the seconds since the last one kept. */
    private void roll(long nowMillis, double budgetPerSecond) {
        long now = Math.floorDiv(nowMillis, 1000L);
        if (now == second) {
            return;
        }
        if (second != Long.MIN_VALUE && budgetPerSecond > 0) {
            double seconds = now - second;
            double allowed = budgetPerSecond / context.parallelism() - deterministic / seconds;
            double wanted = representative / seconds;
            factor = wanted <= allowed ? 1.0 : Math.max(MIN_FACTOR, allowed / wanted);
        } else {
            factor = 1.0;
        }
        second = now;
        deterministic = 0;
        representative = 0;
    }
}

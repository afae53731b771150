package dev.tailsampling.sampling;

import dev.tailsampling.sampling.policy.ErrorPolicy;
import dev.tailsampling.sampling.policy.LatencyPolicy;
import dev.tailsampling.sampling.policy.RepresentativePolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The policies the sampler decides by, in order, combined as the OpenTelemetry Collector's
 * tail-sampling processor combines them: a {@code DROPPED} or {@code INVERTED_NOT_SAMPLED} from any
 * policy vetoes the trace; otherwise the first policy that says {@code SAMPLED} names the decision;
 * otherwise an {@code INVERTED_SAMPLED} keeps the trace if no policy said {@code NOT_SAMPLED};
 * otherwise it is dropped. The set opens, checkpoints and restores its {@link StatefulPolicy
 * stateful} policies, combined ones included.
 */
public final class PolicySet implements SamplingPolicy {
    private static final long serialVersionUID = 1L;

    private final List<SamplingPolicy> policies;

    public PolicySet(List<SamplingPolicy> policies) {
        if (policies.isEmpty()) {
            throw new IllegalArgumentException("a policy set needs at least one policy");
        }
        this.policies = List.copyOf(policies);
    }

    /**
     * The job's policies without a policy file: errors, traces of at least {@code latencyThreshold},
     * and the representative sample at {@code representativeRate} until the controller sets rates.
     */
    public static PolicySet builtIn(Duration latencyThreshold, double representativeRate) {
        return new PolicySet(List.of(
                new ErrorPolicy("errors"),
                new LatencyPolicy("slow", latencyThreshold),
                new RepresentativePolicy("representative", representativeRate)));
    }

    @Override
    public String name() {
        return "policy-set";
    }

    /** The policies, in order. */
    @Override
    public List<SamplingPolicy> subPolicies() {
        return policies;
    }

    @Override
    public Decision evaluate(TraceView trace) {
        Decision sampled = null;
        Decision invertedSampled = null;
        boolean notSampled = false;
        for (SamplingPolicy policy : policies) {
            Decision decision = policy.evaluate(trace);
            switch (decision.outcome()) {
                case DROPPED:
                case INVERTED_NOT_SAMPLED:
                    return Decision.dropped(decision.policy(), decision.reason());
                case SAMPLED:
                    sampled = sampled == null ? decision : sampled;
                    break;
                case INVERTED_SAMPLED:
                    invertedSampled = invertedSampled == null ? decision : invertedSampled;
                    break;
                default:
                    notSampled = true;
            }
        }
        if (sampled != null) {
            return sampled;
        }
        if (invertedSampled != null && !notSampled) {
            return Decision.sampled(invertedSampled.policy(), invertedSampled.reason(), 1.0);
        }
        return Decision.notSampled();
    }

    /** Opens every stateful policy, once per parallel subtask, before the first evaluation. */
    public void open(PolicyContext context) {
        stateful().forEach(p -> p.open(context));
    }

    /** What the stateful policies learned, for a checkpoint. */
    public void snapshotState(Map<String, byte[]> state) {
        stateful().forEach(p -> p.snapshotState(state));
    }

    /** Merges one restored entry into every stateful policy (each takes only its own keys). */
    public void restoreState(String key, byte[] value) {
        stateful().forEach(p -> p.restoreState(key, value));
    }

    /** The names of the representative policies, whose keeps follow the controller's rate. */
    public Set<String> representativeNames() {
        Set<String> names = new HashSet<>();
        for (SamplingPolicy policy : all(this, new ArrayList<>())) {
            if (policy instanceof RepresentativePolicy) {
                names.add(policy.name());
            }
        }
        return names;
    }

    private List<StatefulPolicy> stateful() {
        List<StatefulPolicy> stateful = new ArrayList<>();
        for (SamplingPolicy policy : all(this, new ArrayList<>())) {
            if (policy instanceof StatefulPolicy s) {
                stateful.add(s);
            }
        }
        return stateful;
    }

    private static List<SamplingPolicy> all(SamplingPolicy policy, List<SamplingPolicy> into) {
        into.add(policy);
        policy.subPolicies().forEach(sub -> all(sub, into));
        return into;
    }
}

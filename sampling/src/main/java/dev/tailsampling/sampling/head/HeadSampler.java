package dev.tailsampling.sampling.head;

import dev.tailsampling.sampling.config.HeadSamplingFile;
import io.opentelemetry.contrib.sampler.consistent56.ConsistentSampler;
import io.opentelemetry.contrib.sampler.consistent56.PredicatedSampler;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.nio.file.Path;
import java.util.List;

/**
 * The head sampler for applications: an OpenTelemetry SDK {@link Sampler} built from the
 * {@code head_sampling} block of a rules file. A span with a parent follows the parent's decision
 * and threshold; a root span is decided by the first rule that applies to it, with OpenTelemetry's
 * consistent probability sampling: the trace is kept when its randomness (the trace id's low 56
 * bits, or the tracestate's {@code rv}) is at or above the rule's threshold, and the threshold is
 * written to the tracestate as {@code ot=th:…}, so every later stage knows the head probability. A
 * root span no rule applies to is not sampled.
 */
public final class HeadSampler {
    private HeadSampler() {}

    /** The sampler of a rules file's {@code head_sampling} block. */
    public static Sampler fromFile(Path rules) {
        return create(HeadSamplingFile.load(rules).rules());
    }

    public static Sampler create(List<HeadRule> rules) {
        PredicatedSampler[] predicated = new PredicatedSampler[rules.size()];
        for (int i = 0; i < predicated.length; i++) {
            predicated[i] = PredicatedSampler.onMatch(
                    rules.get(i).predicate(), rules.get(i).sampler());
        }
        // No span kind restriction: every root span is tried against the rules.
        return ConsistentSampler.parentBased(ConsistentSampler.ruleBased(null, predicated));
    }
}

package dev.tailsampling.sampling.policy;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;
import com.datadoghq.sketch.ddsketch.encoding.ByteArrayInput;
import com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput;
import com.datadoghq.sketch.ddsketch.store.UnboundedSizeDenseStore;
import dev.tailsampling.sampling.Decision;
import dev.tailsampling.sampling.StatefulPolicy;
import dev.tailsampling.sampling.TraceSummary;
import dev.tailsampling.sampling.TraceView;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Keeps a trace slower than a quantile (default p95) of the traces of its root service and
 * operation, learned online: every decided trace's duration goes into a DDSketch per root service
 * and operation, after it is judged. Until a sketch holds {@code minSamples} traces it keeps
 * nothing. Sketches are part of the job's checkpoints and merge when restored, so what every
 * subtask learned survives restarts and rescaling. Traces without a root are not judged.
 * Stateful: what it keeps depends on what it judged before.
 */
public final class LearnedLatencyPolicy implements StatefulPolicy {
    private static final long serialVersionUID = 1L;
    private static final char SEPARATOR = '\u001f';

    private final String name;
    private final double quantile;
    private final long minSamples;
    private final double relativeAccuracy;
    private transient Map<String, DDSketch> sketches;

    public LearnedLatencyPolicy(String name, double quantile, long minSamples, double relativeAccuracy) {
        if (!(quantile > 0 && quantile < 1)) {
            throw new IllegalArgumentException("quantile must be between 0 and 1, was " + quantile);
        }
        if (!(relativeAccuracy > 0 && relativeAccuracy < 1)) {
            throw new IllegalArgumentException("relative accuracy must be between 0 and 1, was " + relativeAccuracy);
        }
        this.name = name;
        this.quantile = quantile;
        this.minSamples = minSamples;
        this.relativeAccuracy = relativeAccuracy;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Decision evaluate(TraceView trace) {
        TraceSummary summary = trace.summary();
        if (summary.rootService == null) {
            return Decision.notSampled();
        }
        String key = summary.rootService + SEPARATOR + summary.rootOperation;
        DDSketch sketch = sketches().computeIfAbsent(key, k -> DDSketches.unboundedDense(relativeAccuracy));
        double millis = summary.durationNanos() / 1e6;
        Decision decision = Decision.notSampled();
        if (sketch.getCount() >= minSamples) {
            double threshold = sketch.getValueAtQuantile(quantile);
            if (millis > threshold) {
                decision = Decision.sampled(
                        name,
                        String.format(
                                "%.0f ms above p%.0f %.0f ms of %s %s",
                                millis, quantile * 100, threshold, summary.rootService, summary.rootOperation),
                        1.0);
            }
        }
        sketch.accept(millis);
        return decision;
    }

    /** The learned quantile for a root service and operation, or NaN while warming up. */
    public double threshold(String service, String operation) {
        DDSketch sketch = sketches().get(service + SEPARATOR + operation);
        return sketch == null || sketch.getCount() < minSamples ? Double.NaN : sketch.getValueAtQuantile(quantile);
    }

    @Override
    public void snapshotState(Map<String, byte[]> state) {
        sketches().forEach((key, sketch) -> {
            GrowingByteArrayOutput bytes = GrowingByteArrayOutput.withDefaultInitialCapacity();
            try {
                sketch.encode(bytes, false);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot encode the latency sketch " + key, e);
            }
            state.put(name + SEPARATOR + key, bytes.trimmedCopy());
        });
    }

    @Override
    public void restoreState(String key, byte[] value) {
        String prefix = name + SEPARATOR;
        if (!key.startsWith(prefix)) {
            return;
        }
        try {
            DDSketch restored = DDSketch.decode(ByteArrayInput.wrap(value), UnboundedSizeDenseStore::new);
            sketches().merge(key.substring(prefix.length()), restored, (a, b) -> {
                a.mergeWith(b);
                return a;
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restore the latency sketch " + key, e);
        }
    }

    private Map<String, DDSketch> sketches() {
        if (sketches == null) {
            sketches = new HashMap<>();
        }
        return sketches;
    }
}

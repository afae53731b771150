package dev.tailsampling.sampling.paths;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/**
 * How often each path signature occurred among one root's traces, exponentially decayed in trace
 * time with a half-life, and bounded: past {@code maxSignatures} the least frequent signature is
 * forgotten (its weight stays in the total, so it counts as never seen if it comes back). No sketch
 * library decays its counts (DataSketches' and stream-lib's frequent-items summaries count since
 * the start), so this is a map whose weights decay forward: a trace at time t adds 2^((t - landmark)
 * / half-life) instead of every weight shrinking as time passes. Shares are ratios of weights, so
 * the landmark cancels out; it moves when weights would grow past what a double holds.
 */
public final class PathFrequencies {
    /** Exponents past which weights are brought back to the landmark's scale. */
    private static final double RESCALE_AT = 512;

    private final double halfLifeNanos;
    private final int maxSignatures;
    private final Map<Long, double[]> weights = new HashMap<>();
    private long landmarkNanos;
    private boolean started;
    private double total;
    private long traces;

    public PathFrequencies(long halfLifeNanos, int maxSignatures) {
        if (halfLifeNanos <= 0 || maxSignatures <= 0) {
            throw new IllegalArgumentException("half-life and max signatures must be positive");
        }
        this.halfLifeNanos = halfLifeNanos;
        this.maxSignatures = maxSignatures;
    }

    /** Traces counted, undecayed: how far the warm-up has come. */
    public long traces() {
        return traces;
    }

    /** Signatures remembered, at most {@code maxSignatures}. */
    public int signatures() {
        return weights.size();
    }

    /** The decayed share of the traces counted so far that had {@code signature}; 0 if none did. */
    public double share(long signature) {
        double[] weight = weights.get(signature);
        return weight == null || total == 0 ? 0 : weight[0] / total;
    }

    /** Counts a trace with {@code signature} that started at {@code timeNanos}. */
    public void add(long signature, long timeNanos) {
        if (!started) {
            landmarkNanos = timeNanos;
            started = true;
        }
        double exponent = (timeNanos - landmarkNanos) / halfLifeNanos;
        if (exponent > RESCALE_AT) {
            moveLandmark(timeNanos);
            exponent = 0;
        }
        double weight = Math.pow(2, exponent);
        double[] current = weights.get(signature);
        if (current == null) {
            if (weights.size() >= maxSignatures) {
                forgetLeastFrequent();
            }
            weights.put(signature, new double[] {weight});
        } else {
            current[0] += weight;
        }
        total += weight;
        traces++;
    }

    /** Adds what {@code other} counted (another subtask's, restored), keeping the bound. */
    public void merge(PathFrequencies other) {
        if (!other.started) {
            return;
        }
        if (!started) {
            landmarkNanos = other.landmarkNanos;
            started = true;
        }
        long landmark = Math.max(landmarkNanos, other.landmarkNanos);
        moveLandmark(landmark);
        double scale = Math.pow(2, (other.landmarkNanos - landmark) / halfLifeNanos);
        other.weights.forEach(
                (signature, weight) -> weights.computeIfAbsent(signature, k -> new double[1])[0] += weight[0] * scale);
        total += other.total * scale;
        traces += other.traces;
        while (weights.size() > maxSignatures) {
            forgetLeastFrequent();
        }
    }

    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32 + weights.size() * 16);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeLong(landmarkNanos);
            out.writeBoolean(started);
            out.writeDouble(total);
            out.writeLong(traces);
            out.writeInt(weights.size());
            for (Map.Entry<Long, double[]> entry : weights.entrySet()) {
                out.writeLong(entry.getKey());
                out.writeDouble(entry.getValue()[0]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** What {@link #encode} wrote, bounded and decayed as this instance's settings say. */
    public static PathFrequencies decode(byte[] encoded, long halfLifeNanos, int maxSignatures) {
        PathFrequencies decoded = new PathFrequencies(halfLifeNanos, maxSignatures);
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded))) {
            decoded.landmarkNanos = in.readLong();
            decoded.started = in.readBoolean();
            decoded.total = in.readDouble();
            decoded.traces = in.readLong();
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                decoded.weights.put(in.readLong(), new double[] {in.readDouble()});
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot decode path frequencies", e);
        }
        while (decoded.weights.size() > maxSignatures) {
            decoded.forgetLeastFrequent();
        }
        return decoded;
    }

    private void moveLandmark(long toNanos) {
        if (toNanos == landmarkNanos) {
            return;
        }
        double scale = Math.pow(2, (landmarkNanos - toNanos) / halfLifeNanos);
        weights.values().forEach(weight -> weight[0] *= scale);
        total *= scale;
        landmarkNanos = toNanos;
    }

    private void forgetLeastFrequent() {
        Long least = null;
        double min = Double.POSITIVE_INFINITY;
        for (Map.Entry<Long, double[]> entry : weights.entrySet()) {
            if (entry.getValue()[0] < min) {
                min = entry.getValue()[0];
                least = entry.getKey();
            }
        }
        weights.remove(least);
    }
}

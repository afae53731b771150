package dev.tailsampling.sampling;

/**
 * OpenTelemetry's consistent probability sampling: a trace's randomness is the low 56 bits of its
 * trace id; a rate p becomes the rejection threshold T = (1 - p) * 2^56; a trace is kept when its
 * randomness is at or above T. Every stage that uses the same rule agrees on the same trace without
 * coordination, and the traces kept at rate p are a subset of those kept at any higher rate.
 */
public final class ConsistentProbability {

    /** 2^56: the number of distinct randomness values. */
    public static final long MAX_THRESHOLD = 1L << 56;

    private static final int RANDOM_HEX_DIGITS = 14;

    private ConsistentProbability() {}

    /** Rejection threshold for a keep probability in [0, 1]. */
    public static long threshold(double probability) {
        if (!(probability >= 0.0 && probability <= 1.0)) {
            throw new IllegalArgumentException(
                    "a sampling probability must be in [0, 1], was " + probability);
        }
        return MAX_THRESHOLD - Math.round(probability * MAX_THRESHOLD);
    }

    /** The 56 random bits of a 32-hex-digit trace id: its last 14 hex digits. */
    public static long randomness(String traceIdHex) {
        if (traceIdHex.length() != 32) {
            throw new IllegalArgumentException("a trace id has 32 hex digits: " + traceIdHex);
        }
        return Long.parseUnsignedLong(traceIdHex.substring(32 - RANDOM_HEX_DIGITS), 16);
    }

    /** Whether the trace is kept at the given probability. */
    public static boolean isSampled(String traceIdHex, double probability) {
        return probability > 0.0 && randomness(traceIdHex) >= threshold(probability);
    }
}

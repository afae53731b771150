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
            throw new IllegalArgumentException("a sampling probability must be in [0, 1], was " + probability);
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

    /**
     * What a W3C {@code tracestate} says of the head sampler: the probability of its OpenTelemetry
     * member's threshold ({@code ot=th:<1 to 14 hex digits>}, trailing zeros dropped), 1 when it
     * carries none or an unreadable one (a span that came without a threshold was not sampled
     * before the job, as far as anyone can tell); and whether it gives the trace's randomness
     * explicitly ({@code ot=rv:}), so that the head drew from it rather than from the trace id's bits.
     */
    public record Head(double probability, boolean explicitRandomness) {
        /** No head sampler: every span stands for itself. */
        public static final Head NONE = new Head(1.0, false);
    }

    /** The head sampler's threshold and randomness in a tracestate, read in one pass. */
    public static Head head(String traceState) {
        if (traceState == null || traceState.isEmpty()) {
            return Head.NONE;
        }
        for (String member : traceState.split(",")) {
            String trimmed = member.trim();
            if (trimmed.startsWith("ot=")) {
                String threshold = null;
                boolean explicitRandomness = false;
                for (String field : trimmed.substring(3).split(";")) {
                    if (field.startsWith("th:")) {
                        threshold = field.substring(3);
                    } else if (field.startsWith("rv:")) {
                        explicitRandomness = true;
                    }
                }
                return new Head(probabilityOf(threshold), explicitRandomness);
            }
        }
        return Head.NONE;
    }

    private static double probabilityOf(String threshold) {
        if (threshold == null || threshold.isEmpty() || threshold.length() > RANDOM_HEX_DIGITS) {
            return 1.0;
        }
        long value;
        try {
            value = Long.parseUnsignedLong(threshold, 16) << (4 * (RANDOM_HEX_DIGITS - threshold.length()));
        } catch (NumberFormatException e) {
            return 1.0;
        }
        return (double) (MAX_THRESHOLD - value) / MAX_THRESHOLD;
    }

    /**
     * Whether a job stage keeps the trace at probability {@code rate} of the traces that reach the
     * job. The head kept those whose random bits are at or above the threshold of its probability
     * h; testing them against rate × h keeps exactly a share {@code rate} of them, and the kept sets
     * still nest. A head that drew from an explicit {@code ot=rv} was independent of these bits.
     */
    public static boolean isSampledAfterHead(
            String traceIdHex, double rate, double headProbability, boolean headRandomnessExplicit) {
        return isSampled(traceIdHex, headRandomnessExplicit ? rate : rate * headProbability);
    }

    /** Whether the trace is kept at the given probability. */
    public static boolean isSampled(String traceIdHex, double probability) {
        return probability > 0.0 && randomness(traceIdHex) >= threshold(probability);
    }
}

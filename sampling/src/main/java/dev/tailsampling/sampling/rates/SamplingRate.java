package dev.tailsampling.sampling.rates;

/**
 * One record of the {@code sampling_rates} topic: the representative-sample rate of a service, or
 * under the key {@value #DEFAULT_KEY} the rate of services without their own record and the
 * job-wide pre-sampling rate. Written by the budget controller and by a manual override; the topic
 * is compacted, so the latest record per key is the rate in force. Mutable, a Flink POJO.
 */
public class SamplingRate {
    /** The key of the default rate and the pre-sampling rate. */
    public static final String DEFAULT_KEY = "*";

    public static final String SOURCE_CONTROLLER = "controller";
    public static final String SOURCE_MANUAL = "manual";
    /** A tombstone on the topic: the service's rate is removed. */
    public static final String SOURCE_REMOVED = "removed";

    public static final String UNIT_SPANS = "spans";
    public static final String UNIT_BYTES = "bytes";

    public String service;
    /** Keep probability of the representative sample, in [0, 1]. */
    public double rate;
    /** Keep probability of the pre-sampling stage, in (0, 1]; read from the default record only. */
    public double presampleRate = 1.0;
    /**
     * The job-wide budget per second that the sampler's budget guard holds representative keeps
     * to, in {@link #budgetUnit}; read from the default record only, 0 for no guard.
     */
    public double budgetPerSecond;
    /** {@value #UNIT_SPANS} or {@value #UNIT_BYTES} (OTLP bytes): what {@link #budgetPerSecond} counts. */
    public String budgetUnit;
    /** Why the rate is what it is: steady, over_budget, under_budget, storage_pressure, floor, override, no_traffic. */
    public String reason;
    /** {@value #SOURCE_CONTROLLER}, {@value #SOURCE_MANUAL}, or {@value #SOURCE_REMOVED} for a tombstone. */
    public String source;
    /** When a manual override stops applying (epoch ms); 0 for never. */
    public long expiresAtMillis;
    /** When the record was written (epoch ms); the controller rewrites every rate each step. */
    public long updatedAtMillis;

    public SamplingRate() {}

    public SamplingRate(
            String service,
            double rate,
            double presampleRate,
            String reason,
            String source,
            long expiresAtMillis,
            long updatedAtMillis) {
        this.service = service;
        this.rate = rate;
        this.presampleRate = presampleRate;
        this.reason = reason;
        this.source = source;
        this.expiresAtMillis = expiresAtMillis;
        this.updatedAtMillis = updatedAtMillis;
    }

    /** The record a tombstone (null value) under {@code service}'s key stands for. */
    public static SamplingRate removal(String service) {
        return new SamplingRate(service, 0.0, 1.0, "removed", SOURCE_REMOVED, 0, 0);
    }

    public boolean isRemoval() {
        return SOURCE_REMOVED.equals(source);
    }

    public boolean isDefault() {
        return DEFAULT_KEY.equals(service);
    }

    public boolean isManual() {
        return SOURCE_MANUAL.equals(source);
    }

    /** Whether the record applies at {@code nowMillis}: it has no expiry or has not reached it. */
    public boolean inForceAt(long nowMillis) {
        return expiresAtMillis == 0 || nowMillis < expiresAtMillis;
    }

    /** Checks the fields a reader relies on; the message says which field is wrong and why. */
    public SamplingRate validate() {
        if (service == null || service.isBlank()) {
            throw new IllegalArgumentException("service is missing");
        }
        if (!(rate >= 0.0 && rate <= 1.0)) {
            throw new IllegalArgumentException("rate must be in [0, 1], was " + rate);
        }
        if (!(presampleRate > 0.0 && presampleRate <= 1.0)) {
            throw new IllegalArgumentException("presample_rate must be in (0, 1], was " + presampleRate);
        }
        if (!(budgetPerSecond >= 0.0) || Double.isInfinite(budgetPerSecond)) {
            throw new IllegalArgumentException("budget_per_second must be a number, 0 or more, was " + budgetPerSecond);
        }
        if (budgetPerSecond > 0 && !UNIT_SPANS.equals(budgetUnit) && !UNIT_BYTES.equals(budgetUnit)) {
            throw new IllegalArgumentException(
                    "budget_unit must be " + UNIT_SPANS + " or " + UNIT_BYTES + ", was " + budgetUnit);
        }
        if (expiresAtMillis < 0) {
            throw new IllegalArgumentException("expires_at_millis must not be negative");
        }
        return this;
    }

    @Override
    public String toString() {
        return service + "=" + rate + " (" + reason + ", " + source + ")";
    }
}

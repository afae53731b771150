package dev.tailsampling.sampling.rates;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The rates in force, as the sampler looks them up: a service's own record if it has one in force,
 * else the default record, else the rate the sampler was configured with. Immutable; the sampler
 * builds a new one when a rate record arrives.
 */
public final class SamplingRates {
    private static final SamplingRates NONE = new SamplingRates(Map.of());

    private final Map<String, SamplingRate> byService;

    private SamplingRates(Map<String, SamplingRate> byService) {
        this.byService = byService;
    }

    /** No published rates: every lookup falls back to the configured rate. */
    public static SamplingRates none() {
        return NONE;
    }

    public static SamplingRates of(Collection<SamplingRate> records) {
        Map<String, SamplingRate> byService = new HashMap<>();
        for (SamplingRate record : records) {
            byService.put(record.service, record);
        }
        return new SamplingRates(Map.copyOf(byService));
    }

    /** The services with a rate record, the default's key among them. */
    public Set<String> services() {
        return byService.keySet();
    }

    /** The representative rate for {@code service} (null for unknown) at {@code nowMillis}. */
    public double rateFor(String service, long nowMillis, double configured) {
        SamplingRate own = service == null ? null : byService.get(service);
        if (own != null && own.inForceAt(nowMillis)) {
            return own.rate;
        }
        SamplingRate fallback = byService.get(SamplingRate.DEFAULT_KEY);
        return fallback != null && fallback.inForceAt(nowMillis) ? fallback.rate : configured;
    }

    /**
     * The pre-sampling rate at {@code nowMillis}: the default record's, else 1 (keep all). A
     * controller's record older than {@code maxAgeMillis} no longer counts: the controller rewrites
     * its rates every step, so an old one means it has gone silent, and pre-sampling on stale
     * instructions would drop error traces for a budget nobody watches.
     */
    public double presampleRate(long nowMillis, long maxAgeMillis) {
        SamplingRate fallback = byService.get(SamplingRate.DEFAULT_KEY);
        if (fallback == null || !fallback.inForceAt(nowMillis)) {
            return 1.0;
        }
        boolean stale = !fallback.isManual() && nowMillis - fallback.updatedAtMillis > maxAgeMillis;
        return stale ? 1.0 : fallback.presampleRate;
    }

    /** The job-wide budget per second the controller published for the budget guard; 0 for none. */
    public double budgetPerSecond() {
        SamplingRate fallback = byService.get(SamplingRate.DEFAULT_KEY);
        return fallback == null ? 0.0 : fallback.budgetPerSecond;
    }

    /** Whether {@link #budgetPerSecond} counts OTLP bytes rather than spans. */
    public boolean budgetInBytes() {
        SamplingRate fallback = byService.get(SamplingRate.DEFAULT_KEY);
        return fallback != null && SamplingRate.UNIT_BYTES.equals(fallback.budgetUnit);
    }

    /** Milliseconds since the controller last wrote a rate, or -1 if it never did. */
    public long controllerAgeMillis(long nowMillis) {
        long newest = -1;
        for (SamplingRate record : byService.values()) {
            if (SamplingRate.SOURCE_CONTROLLER.equals(record.source)) {
                newest = Math.max(newest, record.updatedAtMillis);
            }
        }
        return newest < 0 ? -1 : Math.max(0, nowMillis - newest);
    }
}

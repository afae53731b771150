package dev.tailsampling.operators.decide;

import dev.tailsampling.sampling.rates.ServiceStats;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The decided traces' counts per root service, sent about once a second instead of once per trace:
 * the statistics' window keeps its sums in keyed state, and a state update per trace would cost as
 * much as the trace. In memory until sent; a failure loses at most that second's counts.
 */
public final class StatsBatch {
    private static final long INTERVAL_MILLIS = 1_000;

    private final Map<String, ServiceStats> unsent = new HashMap<>();
    private long nextMillis;

    public void add(ServiceStats stats) {
        unsent.computeIfAbsent(stats.service, ServiceStats::empty).add(stats);
    }

    /** All counts once a second has passed since the last send, else none. */
    public List<ServiceStats> takeDue(long nowMillis) {
        if (unsent.isEmpty() || nowMillis < nextMillis) {
            return List.of();
        }
        List<ServiceStats> due = new ArrayList<>(unsent.values());
        unsent.clear();
        nextMillis = nowMillis + INTERVAL_MILLIS;
        return due;
    }

    /** When the waiting counts are due, or -1 if none wait. */
    public long dueMillis() {
        return unsent.isEmpty() ? -1 : nextMillis;
    }
}

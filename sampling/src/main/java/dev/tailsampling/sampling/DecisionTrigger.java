package dev.tailsampling.sampling;

import java.util.Locale;

/** What made the sampler decide a trace when it did. */
public enum DecisionTrigger {
    /** No span arrived for the decision wait. */
    INACTIVITY,
    /** The trace reached the maximum trace duration. */
    MAX_DURATION,
    /** The trace reached the maximum number of spans. */
    MAX_SPANS,
    /** The trace's buffered spans reached the maximum bytes per trace. */
    MAX_BYTES,
    /** The spans came after their trace was decided and followed the recorded decision. */
    LATE;

    /** The name stored in tables: lowercase. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}

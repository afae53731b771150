package dev.tailsampling.controller;

import java.util.Locale;

/** Why the controller set a rate where it did; published with every rate. */
public enum RateReason {
    /** Within the tolerance of its target: left alone. */
    STEADY,
    /** Lowered because the kept volume would exceed the budget. */
    OVER_BUDGET,
    /** Raised because the budget has room. */
    UNDER_BUDGET,
    /** Lowered because the tables fill more than 80 % of the storage budget. */
    STORAGE_PRESSURE,
    /** Held up so that the service keeps its floor of traces per second. */
    FLOOR,
    /** Fixed by an operator: from the settings file or {@code rates set}. */
    OVERRIDE,
    /** The service sent nothing in the interval: its rate is held. */
    NO_TRAFFIC;

    /** The name published in the rate record. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}

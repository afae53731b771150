package dev.tailsampling.controller;

import java.io.Serializable;
import java.time.Duration;

/**
 * How much the kept traces may cost, as a rate in one unit: spans per second, or OTLP bytes per
 * second. A byte budget per day or a storage cost per month becomes bytes per second here.
 */
public final class Budget implements Serializable {
    private static final long serialVersionUID = 1L;

    /** What the budget counts. */
    public enum Unit {
        SPANS,
        BYTES
    }

    private static final double GB = 1e9;

    public final Unit unit;
    public final double perSecond;

    private Budget(Unit unit, double perSecond) {
        if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
            throw new IllegalArgumentException("a budget must be a positive number, was " + perSecond);
        }
        this.unit = unit;
        this.perSecond = perSecond;
    }

    public static Budget spansPerSecond(double spans) {
        return new Budget(Unit.SPANS, spans);
    }

    public static Budget bytesPerDay(double bytes) {
        return new Budget(Unit.BYTES, bytes / Duration.ofDays(1).toSeconds());
    }

    /**
     * A monthly storage bill: kept bytes stay {@code retention}, so at steady state the store holds
     * {@code bytes per second x retention}, which costs {@code costPerGbMonth} per GB each month.
     */
    public static Budget costPerMonth(double cost, double costPerGbMonth, Duration retention) {
        if (!(costPerGbMonth > 0)) {
            throw new IllegalArgumentException("the cost per GB-month must be positive, was " + costPerGbMonth);
        }
        double storedBytes = cost / costPerGbMonth * GB;
        return new Budget(Unit.BYTES, storedBytes / retention.toSeconds());
    }

    @Override
    public String toString() {
        return perSecond + (unit == Unit.SPANS ? " spans/s" : " bytes/s");
    }
}

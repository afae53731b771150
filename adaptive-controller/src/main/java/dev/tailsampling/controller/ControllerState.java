package dev.tailsampling.controller;

import dev.tailsampling.sampling.rates.ServiceStats;
import java.util.HashMap;
import java.util.Map;

/**
 * The controller's whole memory: per-service state (the default rate under {@code *}), the
 * statistics received since the last step and the pre-sampling rate. A Flink POJO.
 */
public class ControllerState {
    public Map<String, ServiceState> services = new HashMap<>();
    /** Windows received since the last step, added up per service. */
    public Map<String, ServiceStats> pending = new HashMap<>();

    public double presampleRate = 1.0;
    public String presampleReason = RateReason.STEADY.label();
    /** Epoch ms of the last step, 0 before the first. */
    public long lastStepMillis;

    public ControllerState() {}
}

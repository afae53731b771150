package dev.tailsampling.sampling.metrics;

import com.datadoghq.sketch.ddsketch.DDSketch;

/**
 * One row of {@code service_edges}: the calls from one service and operation to another that
 * started in one minute, in the kept traces. Each call counts 1 / the probability its trace was
 * kept with, in the estimated counts and in the durations' sketch, so the row estimates all calls
 * on the edge without bias, however the traces were sampled.
 */
public class EdgeMinute {
    public String callerService;
    public String callerOperation;
    public String calleeService;
    public String calleeOperation;
    public long minuteMillis;
    /** Calls in kept traces. */
    public long keptCalls;
    /** Calls made, kept or not: each kept call weighted by its trace's adjusted count. */
    public double estimatedCalls;

    public double estimatedErrors;
    public long maxNs;
    /** The durations' sketch in the library's compact encoding. */
    public byte[] sketch;

    public EdgeMinute() {}

    public static EdgeMinute startedBy(EdgeCalls calls) {
        EdgeMinute minute = new EdgeMinute();
        minute.callerService = calls.callerService;
        minute.callerOperation = calls.callerOperation;
        minute.calleeService = calls.calleeService;
        minute.calleeOperation = calls.calleeOperation;
        minute.minuteMillis = calls.minuteMillis;
        return minute;
    }

    /** Adds calls of the same edge and minute. */
    public void add(EdgeCalls calls) {
        DDSketch durations = durations();
        for (long nanos : calls.durationsNs) {
            durations.accept(nanos, calls.weight);
            maxNs = Math.max(maxNs, nanos);
        }
        keptCalls += calls.calls;
        estimatedCalls += calls.calls * calls.weight;
        estimatedErrors += calls.errors * calls.weight;
        sketch = OperationMinute.encode(durations);
    }

    /** The durations' sketch, empty if the minute is. */
    public DDSketch durations() {
        return sketch == null ? OperationMinute.newSketch() : OperationMinute.decode(sketch);
    }
}

package dev.tailsampling.sampling.summary;

/**
 * One span on a trace's critical path: the part of its time that no child on the path covers is its
 * self time. The self times of a path add up to the trace's end-to-end duration.
 */
public class PathStep {
    public String spanId;
    public String serviceName;
    public String operationName;
    /** Nanoseconds from the trace's start to this span's start. */
    public long startOffsetNs;

    public long durationNs;
    public long selfTimeNs;

    public PathStep() {}

    PathStep(String spanId, String serviceName, String operationName, long startOffsetNs, long durationNs) {
        this.spanId = spanId;
        this.serviceName = serviceName;
        this.operationName = operationName;
        this.startOffsetNs = startOffsetNs;
        this.durationNs = durationNs;
    }

    @Override
    public String toString() {
        return serviceName + " " + operationName + " (" + spanId + ") self " + selfTimeNs + " ns";
    }
}

package dev.tailsampling.sampling.summary;

/** A span of a kept trace that failed, with what it said about it. */
public class ErrorSpan {
    public String spanId;
    public String serviceName;
    public String operationName;
    public String statusMessage;
    /** The HTTP status, or null when the span has none. */
    public Integer httpStatusCode;

    public ErrorSpan() {}
}

package dev.tailsampling.operators;

/**
 * Input the job could not use, kept for inspection and replay: the original bytes, why they were
 * refused, and where they came from. {@code reason} is a short stable code; {@code detail} says
 * what was wrong.
 */
public class DeadLetter {
    public byte[] payload;
    public String reason;
    public String detail;
    /** The Kafka record the input came in: topic, partition and offset; null and -1 when unknown. */
    public String sourceTopic;

    public int sourcePartition = -1;
    public long sourceOffset = -1;

    public DeadLetter() {}

    public DeadLetter(byte[] payload, String reason, String detail) {
        this.payload = payload;
        this.reason = reason;
        this.detail = detail;
    }
}

package dev.tailsampling.operators;

/**
 * Input the job could not use, kept for inspection and replay: the original bytes and why they
 * were refused. {@code reason} is a short stable code; {@code detail} says what was wrong.
 */
public class DeadLetter {
    public byte[] payload;
    public String reason;
    public String detail;

    public DeadLetter() {}

    public DeadLetter(byte[] payload, String reason, String detail) {
        this.payload = payload;
        this.reason = reason;
        this.detail = detail;
    }
}

package dev.tailsampling.operators;

/**
 * One Kafka record of the spans topic: its value, an OTLP request as bytes, and where it was read,
 * so that what is refused of it can name its source.
 */
public class OtlpRecord {
    public byte[] value;
    public String topic;
    public int partition;
    public long offset;

    public OtlpRecord() {}

    public OtlpRecord(byte[] value, String topic, int partition, long offset) {
        this.value = value;
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
    }
}

package dev.tailsampling.operators;

/** One piece of what a policy learned, as kept in a checkpoint: its key and its bytes. */
public class PolicyStateEntry {
    public String key;
    public byte[] value;

    public PolicyStateEntry() {}

    public PolicyStateEntry(String key, byte[] value) {
        this.key = key;
        this.value = value;
    }
}

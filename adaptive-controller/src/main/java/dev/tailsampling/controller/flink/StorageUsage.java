package dev.tailsampling.controller.flink;

import java.io.Serializable;

/** How many bytes the tables hold now; asked once per controller step. */
@FunctionalInterface
public interface StorageUsage extends Serializable {
    long bytesUsed() throws Exception;

    /** For a controller without a storage budget. */
    static StorageUsage none() {
        return () -> 0L;
    }
}

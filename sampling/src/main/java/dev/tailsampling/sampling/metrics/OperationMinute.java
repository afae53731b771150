package dev.tailsampling.sampling.metrics;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketchProtoBinding;
import com.datadoghq.sketch.ddsketch.DDSketches;
import com.datadoghq.sketch.ddsketch.encoding.ByteArrayInput;
import com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput;
import com.datadoghq.sketch.ddsketch.store.UnboundedSizeDenseStore;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * One row of {@code service_metrics}: every span of a service, operation and span kind that started
 * in one minute, before sampling. Durations go into a DDSketch (1 % relative accuracy), kept in
 * state in the library's compact encoding; the table gets its protobuf encoding ({@link
 * #protobufSketch()}), the format every DDSketch library reads, so analysts can merge minutes into
 * hours and days and still read exact-enough quantiles.
 *
 * <p>Behind a head sampler the job sees only the spans it sent: each span then counts 1 / its head
 * probability in the estimated counts and in the sketch, so both describe all requests and an
 * always-sampled class does not crowd the quantiles. Without a head sampler every weight is 1.
 */
public class OperationMinute {
    /** Quantiles are within this fraction of the true value. */
    public static final double RELATIVE_ACCURACY = 0.01;

    public String serviceName;
    public String operationName;
    public String spanKind;
    public long minuteMillis;
    public long requestCount;
    public long errorCount;
    /** Requests sent by the services, each span counted 1 / its head probability. */
    public double estimatedRequests;
    /** Errors sent by the services, weighted alike. */
    public double estimatedErrors;

    public long maxNs;
    /** The durations' sketch in the library's compact encoding. */
    public byte[] sketch;

    public OperationMinute() {}

    public static OperationMinute startedBy(OperationSample sample) {
        OperationMinute minute = new OperationMinute();
        minute.serviceName = sample.serviceName;
        minute.operationName = sample.operationName;
        minute.spanKind = sample.spanKind;
        minute.minuteMillis = sample.minuteMillis;
        return minute;
    }

    /** Adds a sample of the same key. */
    public void add(OperationSample sample) {
        DDSketch durations = sketch == null ? newSketch() : decode(sketch);
        double weight = 1 / sample.headProbability;
        for (int i = 0; i < sample.count; i++) {
            long nanos = sample.durationsNs[i];
            durations.accept(nanos, weight);
            maxNs = Math.max(maxNs, nanos);
        }
        requestCount += sample.count;
        errorCount += sample.errors;
        estimatedRequests += sample.count * weight;
        estimatedErrors += sample.errors * weight;
        sketch = encode(durations);
    }

    /** The duration at quantile {@code q} (0 to 1) in nanoseconds, 0 when the minute is empty. */
    public double quantileNs(double q) {
        if (sketch == null) {
            return 0;
        }
        DDSketch durations = decode(sketch);
        return durations.isEmpty() ? 0 : durations.getValueAtQuantile(q);
    }

    /** The durations' sketch, empty if the minute is. */
    public DDSketch durations() {
        return sketch == null ? newSketch() : decode(sketch);
    }

    /** The sketch in the DDSketch protobuf format, as the table stores it. */
    public byte[] protobufSketch() {
        return protobuf(durations());
    }

    /** {@code sketch} in the DDSketch protobuf format. */
    public static byte[] protobuf(DDSketch sketch) {
        ByteBuffer buffer = sketch.serialize();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    public static DDSketch newSketch() {
        return DDSketches.unboundedDense(RELATIVE_ACCURACY);
    }

    /** Reads a sketch in the protobuf format, as stored in the table (for analysts' tools and tests). */
    public static DDSketch readProtobuf(byte[] bytes) {
        try {
            return DDSketchProtoBinding.fromProto(
                    UnboundedSizeDenseStore::new, com.datadoghq.sketch.ddsketch.proto.DDSketch.parseFrom(bytes));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not a DDSketch in protobuf format", e);
        }
    }

    public static byte[] encode(DDSketch sketch) {
        GrowingByteArrayOutput bytes = GrowingByteArrayOutput.withDefaultInitialCapacity();
        try {
            sketch.encode(bytes, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode a duration sketch", e);
        }
        return bytes.trimmedCopy();
    }

    static DDSketch decode(byte[] bytes) {
        try {
            return DDSketch.decode(ByteArrayInput.wrap(bytes), UnboundedSizeDenseStore::new);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot decode a duration sketch", e);
        }
    }
}

package dev.tailsampling.operators;

import dev.tailsampling.operators.otlp.DecodeLimits;
import dev.tailsampling.operators.otlp.Redaction;
import dev.tailsampling.sampling.metrics.OperationSample;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.ProcessingTimeService;

/**
 * The decode step: {@link DecodeFunction}, with its service-metric samples sent
 * every {@link #SEND_EVERY_MILLIS}, before every checkpoint barrier and at the end of the input
 * rather than after every record. The keyed service-metrics state is then read, merged and written
 * once per operation and minute for many records, not once per record (the sketch's round trip
 * through RocksDB was an eighth of the job's time; docs/BENCHMARKS.md). No sample waits in state:
 * the barrier follows them, so a checkpoint holds each exactly once downstream.
 */
public final class DecodeOperator extends ProcessOperator<OtlpRecord, TraceFragment>
        implements ProcessingTimeService.ProcessingTimeCallback {
    private static final long serialVersionUID = 1L;

    /** Short beside the service metrics' delay (30 s by default), long beside a record's decoding. */
    static final long SEND_EVERY_MILLIS = 1_000;

    private final DecodeFunction decode;

    public DecodeOperator(DecodeLimits limits, Redaction redaction) {
        this(new DecodeFunction(limits, redaction));
    }

    private DecodeOperator(DecodeFunction decode) {
        super(decode);
        this.decode = decode;
    }

    @Override
    public void open() throws Exception {
        super.open();
        scheduleSend();
    }

    @Override
    public void onProcessingTime(long timestamp) {
        sendSamples();
        scheduleSend();
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        sendSamples();
    }

    @Override
    public void finish() throws Exception {
        sendSamples();
        super.finish();
    }

    private void scheduleSend() {
        ProcessingTimeService time = getProcessingTimeService();
        time.registerTimer(time.getCurrentProcessingTime() + SEND_EVERY_MILLIS, this);
    }

    private void sendSamples() {
        for (OperationSample sample : decode.drainSamples()) {
            output.collect(DecodeFunction.METRICS, new StreamRecord<>(sample));
        }
    }
}

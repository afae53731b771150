package dev.tailsampling.operators.otlp;

import static dev.tailsampling.operators.otlp.OtlpTestData.attr;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What decoding a record costs, per span: the wire scan that counts spans and values before
 * parsing, the protobuf parse alone, and the whole decode (scan, parse, checks, fragments). A
 * record is the performance model's: 100 spans of 10 traces, six attributes each.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DecodeBenchmark {
    static final int SPANS = 100;

    private byte[] record;
    private OtlpDecoder decoder;
    private CollectingOutput output;

    @Setup
    public void setUp() {
        Random random = new Random(1);
        List<Span.Builder> spans = new ArrayList<>();
        for (int trace = 0; trace < 10; trace++) {
            String traceId = String.format("%016x%016x", random.nextLong(), random.nextLong());
            for (int i = 0; i < SPANS / 10; i++) {
                spans.add(OtlpTestData.span(
                                traceId,
                                String.format("%016x", random.nextLong() | 1),
                                i == 0 ? "" : "00000000000000ff",
                                "op" + i,
                                i,
                                5)
                        .addAttributes(attr("http.request.method", "GET"))
                        .addAttributes(attr("http.route", "/api/orders/{id}"))
                        .addAttributes(attr("http.response.status_code", 200))
                        .addAttributes(attr("server.address", "checkout.svc"))
                        .addAttributes(attr("db.system", "postgresql"))
                        .addAttributes(attr("user.tier", "premium")));
            }
        }
        record = OtlpTestData.request(OtlpTestData.resourceSpans("checkout", spans.toArray(new Span.Builder[0])))
                .toByteArray();
        decoder = new OtlpDecoder(DecodeLimits.DEFAULTS.anyTime());
        output = new CollectingOutput();
    }

    @Benchmark
    @OperationsPerInvocation(SPANS)
    public RecordScan.Result scan() {
        return RecordScan.scan(
                record, DecodeLimits.DEFAULTS.maxSpansPerRecord(), DecodeLimits.DEFAULTS.maxValuesPerRecord());
    }

    @Benchmark
    @OperationsPerInvocation(SPANS)
    public ExportTraceServiceRequest parse() throws Exception {
        return ExportTraceServiceRequest.parseFrom(record);
    }

    @Benchmark
    @OperationsPerInvocation(SPANS)
    public int decode() {
        output.fragments.clear();
        decoder.decode(record, 0, output);
        return output.fragments.size();
    }
}

package dev.tailsampling.jobs.warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.iceberg.IcebergCatalogConf;
import dev.tailsampling.jobs.TraceCommand;
import dev.tailsampling.sampling.Span;
import dev.tailsampling.sampling.summary.CriticalPath;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A kept trace whose parent chain is thousands of spans deep, summarized and printed without recursion. */
class DeepTraceCommandTest {
    private static final String DEEP_TRACE = "7af7651916cd43dd8448eb211c80319c";
    private static final int DEPTH = 3_000;
    private static final long MS = 1_000_000L;

    @TempDir
    Path temp;

    @Test
    void printsATraceThreeThousandSpansDeep() throws Exception {
        IcebergCatalogConf catalog = IcebergCatalogConf.localWarehouse(
                temp.resolve("warehouse").toUri().toString());
        Instant end = Instant.now();
        long base = end.toEpochMilli() - 2 * 3_600_000L;
        List<Span> chain = new ArrayList<>();
        for (int i = 0; i < DEPTH; i++) {
            Span span = new Span();
            span.traceId = DEEP_TRACE;
            span.spanId = String.format("%016x", i + 1);
            span.parentSpanId = i == 0 ? "" : String.format("%016x", i);
            span.serviceName = "svc" + (i % 3);
            span.operationName = "op" + i;
            span.spanKind = "SERVER";
            span.statusCode = i == DEPTH - 1 ? "ERROR" : "UNSET";
            span.error = i == DEPTH - 1;
            span.startTimeUnixNano = (base + i) * MS;
            span.endTimeUnixNano = (base + 2L * DEPTH - i) * MS;
            span.durationNs = span.endTimeUnixNano - span.startTimeUnixNano;
            chain.add(span);
        }
        GeneratedWarehouse.write(catalog, new GeneratedWarehouse.Spec(20, 3, 2, 1, 0.2, 5), end, List.of(chain));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int[] status = {-1};
        // A small stack, where a walk that recursed once per level would overflow.
        Thread command = new Thread(
                null,
                () -> status[0] = TraceCommand.run(
                        new String[] {
                            DEEP_TRACE,
                            "--iceberg.warehouse",
                            catalog.properties().get("warehouse")
                        },
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8)),
                "trace-command",
                256 * 1024);
        command.start();
        command.join();

        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(status[0]).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(printed)
                .contains(DEPTH + " spans")
                .contains("critical path of " + CriticalPath.MAX_DEPTH + " spans");
        assertThat(printed.lines().filter(line -> line.contains(" ms |")).count())
                .as("waterfall lines")
                .isEqualTo(DEPTH);
        assertThat(printed.lines().filter(line -> line.endsWith(" ERROR")).count())
                .isEqualTo(1);
    }
}

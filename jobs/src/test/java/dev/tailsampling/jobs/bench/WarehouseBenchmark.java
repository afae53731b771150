package dev.tailsampling.jobs.bench;

import dev.tailsampling.iceberg.IcebergCatalogConf;
import dev.tailsampling.iceberg.maintenance.WarehouseMaintenance;
import dev.tailsampling.jobs.TraceLookup;
import dev.tailsampling.jobs.warehouse.GeneratedWarehouse;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

/**
 * The storage benchmark: generates a warehouse (by default 1.2 million traces, about 10 million
 * kept spans, over 24 hours and 20 services, 12 commits an hour), then measures in one run a
 * trace-id lookup through {@code trace_index} against a plain {@code trace_id = …} filter on
 * {@code spans} (data files opened and time), stored bytes per span against OTLP bytes, and both
 * again after compaction. Prints its figures; asserts nothing.
 */
public final class WarehouseBenchmark {
    private WarehouseBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int traces = Integer.parseInt(options.getOrDefault("traces", "1200000"));
        int hours = Integer.parseInt(options.getOrDefault("hours", "24"));
        int lookups = Integer.parseInt(options.getOrDefault("lookups", "200"));
        int scans = Integer.parseInt(options.getOrDefault("scans", "20"));
        Path folder = Files.createTempDirectory("warehouse-bench");
        IcebergCatalogConf catalog =
                IcebergCatalogConf.localWarehouse(folder.toUri().toString());
        PrintStream out = System.out;

        long started = System.nanoTime();
        Instant end = Instant.now();
        GeneratedWarehouse.Truth truth = GeneratedWarehouse.write(
                catalog, new GeneratedWarehouse.Spec(traces, hours, 20, 12, 1.0, 42), end, List.of());
        out.printf(
                "Generated %,d traces, %,d spans over %d hours, 20 services, 12 commits an hour in %.0f s%n",
                truth.tracesKept, truth.spansKept, hours, (System.nanoTime() - started) / 1e9);

        Random random = new Random(7);
        List<String> sample = new ArrayList<>();
        for (int i = 0; i < lookups + 20; i++) {
            sample.add(truth.keptTraceIds.get(random.nextInt(truth.keptTraceIds.size())));
        }
        report(out, "before compaction", catalog, truth, sample, scans);

        started = System.nanoTime();
        // An hour ahead, so that every generated hour is closed.
        List<WarehouseMaintenance.Report> reports = new WarehouseMaintenance(
                        catalog,
                        new WarehouseMaintenance.Settings(
                                Map.of(
                                        "spans", Duration.ofDays(7),
                                        "trace_index", Duration.ofDays(7),
                                        "trace_summaries", Duration.ofDays(90),
                                        "service_metrics", Duration.ofDays(365)),
                                Duration.ofMinutes(1),
                                Duration.ofDays(1),
                                Duration.ofDays(3)),
                        Clock.offset(Clock.systemUTC(), Duration.ofHours(1)))
                .runOnce();
        out.printf("%nCompaction of every hour took %.0f s:%n", (System.nanoTime() - started) / 1e9);
        reports.forEach(r -> out.println("  " + r));
        report(out, "after compaction", catalog, truth, sample, scans);
        System.exit(0);
    }

    private static void report(
            PrintStream out,
            String when,
            IcebergCatalogConf catalog,
            GeneratedWarehouse.Truth truth,
            List<String> sample,
            int scans) {
        out.printf("%n== %s ==%n", when);
        for (String name : List.of("spans", "trace_index", "trace_summaries", "service_metrics")) {
            Table table = catalog.loadTable(name);
            Snapshot current = table.currentSnapshot();
            long bytes = Long.parseLong(current.summary().get("total-files-size"));
            out.printf(
                    "  %-16s %8s files %,14d bytes %12s rows%n",
                    name,
                    current.summary().get("total-data-files"),
                    bytes,
                    current.summary().get("total-records"));
        }
        long spanBytes = Long.parseLong(
                catalog.loadTable("spans").currentSnapshot().summary().get("total-files-size"));
        double otlp = (double) truth.otlpSpanBytes / truth.spansKept;
        double stored = (double) spanBytes / truth.spansKept;
        out.printf("  stored bytes per span %.1f, OTLP Span message %.1f bytes: %.3fx%n", stored, otlp, stored / otlp);

        TraceLookup lookup = new TraceLookup(catalog);
        long[] indexed = new long[sample.size() - 20];
        int[] indexedFiles = new int[indexed.length];
        for (int i = 0; i < sample.size(); i++) {
            long t0 = System.nanoTime();
            TraceLookup.Found found = lookup.find(sample.get(i));
            long took = System.nanoTime() - t0;
            if (found.spans().isEmpty()) {
                throw new IllegalStateException("lookup lost trace " + sample.get(i));
            }
            if (i >= 20) {
                indexed[i - 20] = took;
                indexedFiles[i - 20] = found.spanFiles();
            }
        }
        long[] plain = new long[scans];
        int[] plainFiles = new int[scans];
        for (int i = 0; i < scans; i++) {
            long t0 = System.nanoTime();
            TraceLookup.Found found = lookup.scan(sample.get(20 + i));
            plain[i] = System.nanoTime() - t0;
            plainFiles[i] = found.spanFiles();
        }
        out.printf(
                "  lookup through trace_index: median %.1f ms, p90 %.1f ms; span files opened max %d, mean %.2f%n",
                median(indexed) / 1e6,
                quantile(indexed, 0.9) / 1e6,
                Arrays.stream(indexedFiles).max().orElse(0),
                Arrays.stream(indexedFiles).average().orElse(0));
        out.printf(
                "  plain trace_id filter on spans: median %.1f ms; span files opened mean %.1f%n",
                median(plain) / 1e6, Arrays.stream(plainFiles).average().orElse(0));
        out.printf("  speed-up %.1fx%n", median(plain) / median(indexed));
    }

    private static double median(long[] values) {
        return quantile(values, 0.5);
    }

    private static double quantile(long[] values, double q) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    }
}

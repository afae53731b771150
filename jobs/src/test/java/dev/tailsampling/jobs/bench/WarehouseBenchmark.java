package dev.tailsampling.jobs.bench;

import dev.tailsampling.iceberg.IcebergCatalogConf;
import dev.tailsampling.iceberg.maintenance.MaintenanceOptions;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.flink.configuration.Configuration;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;

/**
 * The storage benchmark: generates a warehouse (by default 1.2 million traces, about 10 million
 * kept spans, over 24 hours and 20 services, 12 commits an hour), then measures in one run a
 * trace-id lookup through {@code trace_index} against a plain {@code trace_id = …} filter on
 * {@code spans} (data files opened and time), a user's traces through {@code attribute_index}
 * against a scan of the spans' attributes, one service's slow requests of the last hour with and
 * without partition pruning, stored bytes per span against OTLP bytes and per summary column, and
 * all of it again after compaction. Prints its figures; asserts nothing.
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
                "Generated %,d traces, %,d spans over %d hours, 20 services, 12 commits an hour in %.0f s%n"
                        + "  in %s (left there for the query API's benchmark)%n",
                truth.tracesKept, truth.spansKept, hours, (System.nanoTime() - started) / 1e9, folder);

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
                        WarehouseMaintenance.Settings.from(
                                Configuration.fromMap(Map.of(MaintenanceOptions.CLOSED_AFTER.key(), "1min"))),
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
        for (String name : List.of(
                "spans", "trace_index", "attribute_index", "trace_summaries", "service_metrics", "service_edges")) {
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
        out.println("  trace_summaries bytes by column: " + bytesByColumn(catalog.loadTable("trace_summaries")));
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
        byAttribute(out, catalog, truth, Math.min(scans, 5));
        slowRequests(out, catalog, truth);
    }

    /**
     * "Requests of payment in the last hour slower than 500 ms" from {@code trace_summaries}: planned
     * with the filter, so Iceberg opens only that service's last-hour partition, against every
     * file read and filtered row by row, as a table without the partitions would be.
     */
    private static void slowRequests(PrintStream out, IcebergCatalogConf catalog, GeneratedWarehouse.Truth truth) {
        Table summaries = catalog.loadTable("trace_summaries");
        long fromMicros = (truth.endMillis - 3_600_000L) * 1000;
        long toMicros = truth.endMillis * 1000;
        Expression query = Expressions.and(
                Expressions.equal("root_service_name", "payment"),
                Expressions.greaterThanOrEqual("start_time", fromMicros),
                Expressions.lessThan("start_time", toMicros),
                Expressions.greaterThan("duration_ns", 500_000_000L));
        long[] pruned = new long[5];
        long[] unpruned = new long[5];
        int found = 0;
        for (int i = 0; i < pruned.length; i++) {
            long t0 = System.nanoTime();
            int rows = 0;
            try (CloseableIterable<Record> records =
                    IcebergGenerics.read(summaries).where(query).build()) {
                for (Record ignored : records) {
                    rows++;
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            pruned[i] = System.nanoTime() - t0;
            t0 = System.nanoTime();
            int all = 0;
            try (CloseableIterable<Record> records =
                    IcebergGenerics.read(summaries).build()) {
                for (Record row : records) {
                    long start = ((java.time.OffsetDateTime) row.getField("start_time"))
                                    .toInstant()
                                    .toEpochMilli()
                            * 1000;
                    if ("payment".equals(row.getField("root_service_name"))
                            && start >= fromMicros
                            && start < toMicros
                            && (Long) row.getField("duration_ns") > 500_000_000L) {
                        all++;
                    }
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            unpruned[i] = System.nanoTime() - t0;
            if (rows != all) {
                throw new IllegalStateException("pruned read found " + rows + " slow requests, full read " + all);
            }
            found = rows;
        }
        out.printf(
                "  slow payment requests in the last hour (%d): pruned %d files, median %.1f ms;"
                        + " every file (%d), median %.1f ms: %.1fx%n",
                found,
                planned(summaries, query),
                median(pruned) / 1e6,
                planned(summaries, Expressions.alwaysTrue()),
                median(unpruned) / 1e6,
                median(unpruned) / median(pruned));
    }

    private static int planned(Table table, Expression filter) {
        int files = 0;
        try (CloseableIterable<FileScanTask> tasks =
                table.newScan().filter(filter).planFiles()) {
            for (FileScanTask ignored : tasks) {
                files++;
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return files;
    }

    /**
     * Users' kept traces through {@code attribute_index} against a scan of every span's attributes
     * (what a query must do without the index), and the index's size against the spans'.
     */
    private static void byAttribute(
            PrintStream out, IcebergCatalogConf catalog, GeneratedWarehouse.Truth truth, int scans) {
        Random random = new Random(11);
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 50 + scans; i++) {
            users.add(
                    truth.keptRoots.get(random.nextInt(truth.keptRoots.size())).userId());
        }
        long[] indexed = new long[50];
        int[] files = new int[50];
        for (int i = 0; i < indexed.length; i++) {
            long t0 = System.nanoTime();
            TraceLookup.TaggedTraces found = TraceLookup.withAttribute(catalog, "user.id", users.get(i));
            indexed[i] = System.nanoTime() - t0;
            files[i] = found.indexFiles();
            if (found.traces().isEmpty()) {
                throw new IllegalStateException("the attribute index lost user " + users.get(i));
            }
        }
        Table spans = catalog.loadTable("spans");
        long[] scanned = new long[scans];
        for (int i = 0; i < scans; i++) {
            String user = users.get(50 + i);
            long t0 = System.nanoTime();
            Set<String> traces = new HashSet<>();
            try (CloseableIterable<Record> rows =
                    IcebergGenerics.read(spans).select("trace_id", "attributes").build()) {
                for (Record row : rows) {
                    if (user.equals(((Map<?, ?>) row.getField("attributes")).get("user.id"))) {
                        traces.add((String) row.getField("trace_id"));
                    }
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            scanned[i] = System.nanoTime() - t0;
            if (traces.isEmpty()) {
                throw new IllegalStateException("the scan found no trace of user " + user);
            }
        }
        long indexBytes = Long.parseLong(
                catalog.loadTable("attribute_index").currentSnapshot().summary().get("total-files-size"));
        long spanBytes = Long.parseLong(spans.currentSnapshot().summary().get("total-files-size"));
        out.printf(
                "  traces of a user through attribute_index: median %.1f ms; index files opened max %d, mean %.2f%n",
                median(indexed) / 1e6,
                Arrays.stream(files).max().orElse(0),
                Arrays.stream(files).average().orElse(0));
        out.printf("  scan of spans.attributes: median %.1f ms%n", median(scanned) / 1e6);
        out.printf(
                "  speed-up %.1fx; attribute_index is %.3f of spans' bytes%n",
                median(scanned) / median(indexed), (double) indexBytes / spanBytes);
    }

    /**
     * Stored bytes of each column (leaf fields by their dotted names), from the data files' column
     * sizes, largest first.
     */
    private static String bytesByColumn(Table table) {
        Map<String, Long> bytes = new HashMap<>();
        try (CloseableIterable<FileScanTask> tasks =
                table.newScan().includeColumnStats().planFiles()) {
            for (FileScanTask task : tasks) {
                Map<Integer, Long> sizes = task.file().columnSizes();
                if (sizes != null) {
                    sizes.forEach((id, size) -> bytes.merge(table.schema().findColumnName(id), size, Long::sum));
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        long total = bytes.values().stream().mapToLong(Long::longValue).sum();
        StringBuilder text = new StringBuilder();
        bytes.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> text.append(
                        String.format("%s %,d (%.0f%%) ", e.getKey(), e.getValue(), 100.0 * e.getValue() / total)));
        return text.toString().trim();
    }

    static double median(long[] values) {
        return quantile(values, 0.5);
    }

    static double quantile(long[] values, double q) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    }
}

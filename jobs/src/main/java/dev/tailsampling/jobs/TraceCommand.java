package dev.tailsampling.jobs;

import dev.tailsampling.iceberg.IcebergCatalogConf;
import dev.tailsampling.iceberg.IcebergOptions;
import java.io.PrintStream;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.NoSuchTableException;

/**
 * {@code trace TRACE_ID [--iceberg.* ...]}: finds a trace through {@code trace_index}, reads only
 * the {@code spans} partitions (hour and service) it names, and prints the trace as an indented
 * waterfall with its sampling decision. {@code trace --attribute KEY=VALUE} lists the kept traces
 * with an indexed attribute value instead, from one {@code attribute_index} bucket. Runs with
 * plain {@code java -jar}: it needs the tables, not Flink.
 */
public final class TraceCommand {
    static final String USAGE = "usage: trace TRACE_ID | --attribute KEY=VALUE"
            + " [--iceberg.catalog-type hadoop|rest|hive] [--iceberg.warehouse W]"
            + " [--iceberg.namespace N] [--iceberg.catalog.KEY VALUE]";

    static final Command COMMAND = new Command(
            "trace",
            "print a kept trace as a waterfall, found through the trace index, or list the kept traces"
                    + " with an indexed attribute value",
            TraceCommand.USAGE,
            TraceCommand::run);
    private static final int BAR = 40;

    private TraceCommand() {}

    public static int run(String[] args, PrintStream out, PrintStream err) {
        boolean byAttribute = args.length >= 2 && args[0].equals("--attribute");
        if (!byAttribute && (args.length < 1 || !args[0].matches("[0-9a-f]{32}"))) {
            err.println("trace: give a trace id of 32 lowercase hex characters, or --attribute KEY=VALUE");
            err.println(USAGE);
            return 2;
        }
        int first = byAttribute ? 2 : 1;
        IcebergCatalogConf catalog;
        try {
            catalog = catalog(Arrays.copyOfRange(args, first, args.length));
        } catch (IllegalArgumentException e) {
            err.println("trace: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        return byAttribute ? listTagged(args[1], catalog, out, err) : printTrace(args[0], catalog, out, err);
    }

    /** The kept traces with KEY=VALUE, newest first, through {@code attribute_index}. */
    private static int listTagged(String keyValue, IcebergCatalogConf catalog, PrintStream out, PrintStream err) {
        int equals = keyValue.indexOf('=');
        if (equals < 1) {
            err.println("trace: --attribute takes KEY=VALUE, such as user.id=4711; was " + keyValue);
            return 2;
        }
        String key = keyValue.substring(0, equals);
        String value = keyValue.substring(equals + 1);
        TraceLookup.TaggedTraces found;
        try {
            found = TraceLookup.withAttribute(catalog, key, value);
        } catch (NoSuchTableException e) {
            err.println("trace: the " + catalog.describe() + " has no attribute_index: the job writes it when"
                    + " started with --index.attributes " + key);
            return 1;
        } catch (RuntimeException e) {
            err.println("trace: cannot read the tables of the " + catalog.describe() + ": " + Cli.oneLine(e));
            return 1;
        }
        if (found.traces().isEmpty()) {
            err.println("no kept trace has " + keyValue + " in attribute_index: none was kept, the value is past"
                    + " retention, or the job does not index " + key + " (--index.attributes)");
            return 1;
        }
        out.printf(
                "%d kept traces with %s (read %d index files); print one with: trace TRACE_ID%n",
                found.traces().size(), keyValue, found.indexFiles());
        for (TraceLookup.Tagged trace : found.traces()) {
            out.printf(
                    "%s  %s  %s%n",
                    trace.traceId(),
                    Instant.ofEpochSecond(trace.firstHour() / 1_000_000L),
                    String.join(",", trace.services()));
        }
        return 0;
    }

    private static int printTrace(String traceId, IcebergCatalogConf catalog, PrintStream out, PrintStream err) {
        TraceLookup lookup;
        TraceLookup.Found found;
        try {
            lookup = new TraceLookup(catalog);
            found = lookup.find(traceId);
        } catch (RuntimeException e) {
            err.println("trace: cannot read the tables of the " + catalog.describe() + ": " + Cli.oneLine(e));
            return 1;
        }
        if (found.spans().isEmpty()) {
            err.println("trace " + traceId + " is not in trace_index: it was not kept, or is past retention");
            return 1;
        }
        print(traceId, found, lookup.summary(traceId, found.hours()), out);
        return 0;
    }

    /** The catalog parameters; anything else is refused with the accepted names. */
    static IcebergCatalogConf catalog(String[] args) {
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            String key = args[i].startsWith("--") ? args[i].substring(2) : args[i];
            if (IcebergOptions.ALL.stream().noneMatch(o -> o.key().equals(key))
                    && !key.startsWith(IcebergOptions.CATALOG_PREFIX)) {
                throw new IllegalArgumentException(
                        "unknown parameter " + args[i] + "; the parameters are --iceberg.catalog-type,"
                                + " --iceberg.warehouse, --iceberg.namespace and --iceberg.catalog.*");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            params.put(key, args[i + 1]);
        }
        return IcebergCatalogConf.fromParameters(params);
    }

    /** The waterfall: one line per span, children under their parent, a bar on the trace's time line. */
    static void print(String traceId, TraceLookup.Found found, Record summary, PrintStream out) {
        List<Record> spans = new ArrayList<>(found.spans());
        spans.sort(Comparator.comparingLong(s -> (Long) s.getField("start_time_unix_nano")));
        long start = (Long) spans.get(0).getField("start_time_unix_nano");
        long end = spans.stream()
                .mapToLong(s -> (Long) s.getField("end_time_unix_nano"))
                .max()
                .orElse(start);
        double total = Math.max(1, end - start);
        Record first = spans.get(0);
        out.printf(
                "trace %s  %s  %.1f ms  %d spans  (read %d index and %d span files)%n",
                traceId,
                ((OffsetDateTime) first.getField("start_time")).toInstant(),
                total / 1e6,
                spans.size(),
                found.indexFiles(),
                found.spanFiles());
        out.printf(
                "kept by %s, probability %s (counts as %s)%s%s%n",
                first.getField("sampling_policy"),
                first.getField("sample_probability"),
                first.getField("adjusted_count"),
                first.getField("sampling_trigger") == null ? "" : ", decided on " + first.getField("sampling_trigger"),
                Boolean.TRUE.equals(first.getField("trace_incomplete")) ? ", root span missing" : "");
        if (summary != null) {
            out.printf(
                    "root %s %s, %s errors, critical path of %d spans%n",
                    summary.getField("root_service_name"),
                    summary.getField("root_operation_name"),
                    summary.getField("error_count"),
                    ((List<?>) summary.getField("critical_path")).size());
        }
        out.println();
        Map<String, List<Record>> children = new HashMap<>();
        Set<String> ids = new HashSet<>();
        spans.forEach(s -> ids.add((String) s.getField("span_id")));
        List<Record> tops = new ArrayList<>();
        for (Record span : spans) {
            String parent = (String) span.getField("parent_span_id");
            if (parent == null || parent.isEmpty() || !ids.contains(parent)) {
                tops.add(span);
            } else {
                children.computeIfAbsent(parent, k -> new ArrayList<>()).add(span);
            }
        }
        // Depth first with a stack of its own: a parent chain can be thousands of spans deep.
        Set<String> printed = new HashSet<>();
        Deque<Map.Entry<Record, Integer>> stack = new ArrayDeque<>();
        for (int i = tops.size() - 1; i >= 0; i--) {
            stack.push(Map.entry(tops.get(i), 0));
        }
        while (!stack.isEmpty()) {
            Map.Entry<Record, Integer> next = stack.pop();
            Record span = next.getKey();
            String id = (String) span.getField("span_id");
            if (!printed.add(id)) {
                continue;
            }
            printLine(span, next.getValue(), start, total, out);
            List<Record> below = children.getOrDefault(id, List.of());
            for (int i = below.size() - 1; i >= 0; i--) {
                stack.push(Map.entry(below.get(i), next.getValue() + 1));
            }
        }
    }

    private static void printLine(Record span, int depth, long start, double total, PrintStream out) {
        long from = (Long) span.getField("start_time_unix_nano") - start;
        long duration = (Long) span.getField("duration_ns");
        int offset = (int) Math.round(from / total * BAR);
        int width = Math.max(1, (int) Math.round(duration / total * BAR));
        String bar = " ".repeat(Math.min(offset, BAR)) + "#".repeat(Math.min(width, BAR + 1 - Math.min(offset, BAR)));
        // Indentation stops deepening at 20 levels, where the label would be all spaces.
        String label = "  ".repeat(Math.min(depth, 20)) + span.getField("service_name") + " "
                + span.getField("operation_name");
        out.printf(
                "%-60s %9.1f ms %9.1f ms |%-" + (BAR + 1) + "s|%s%n",
                label.length() > 60 ? label.substring(0, 59) + "…" : label,
                from / 1e6,
                duration / 1e6,
                bar,
                Boolean.TRUE.equals(span.getField("error")) ? " ERROR" : "");
    }
}

package dev.tailsampling.jobs.query;

import dev.tailsampling.iceberg.IcebergCatalogConf;
import dev.tailsampling.iceberg.ServiceEdgesTable;
import dev.tailsampling.iceberg.ServiceMetricsTable;
import dev.tailsampling.jobs.TraceLookup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;

/**
 * What the query API asks of the tables: a trace by id through {@code trace_index} (never a scan
 * of {@code spans}), and the services and their operations from {@code service_metrics}, which
 * has a row per service, operation and minute. The operations of the last {@code lookback} are
 * read once per snapshot of that table and kept until the job commits the next; recent traces are
 * kept alike, by the snapshots of the tables they were read from.
 */
public final class TraceQueries {
    /** An operation as Jaeger lists it: its name and span kind, lowercase. */
    public record Operation(String name, String spanKind) implements Comparable<Operation> {
        @Override
        public int compareTo(Operation other) {
            int byName = name.compareTo(other.name);
            return byName != 0 ? byName : spanKind.compareTo(other.spanKind);
        }
    }

    /**
     * A search as both of Jaeger's APIs put it: the traces with a span of {@code service} that
     * started in [{@code from}, {@code to}) and meets every other condition given (an empty
     * operation, empty attributes or a null duration bound is no condition), newest first.
     */
    public record Search(
            String service,
            String operation,
            Map<String, String> attributes,
            Instant from,
            Instant to,
            Duration minDuration,
            Duration maxDuration,
            int limit) {}

    /** Calls from one service to another, estimated for all traffic (kept calls weighted by adjusted count). */
    public record Dependency(String parent, String child, long callCount) {}

    private record Operations(long snapshotId, Map<String, Set<Operation>> byService) {}

    static final int CACHED_TRACES = 1_000;

    private final IcebergCatalogConf catalog;
    private final TraceLookup lookup;
    private final Duration lookback;
    private final Clock clock;
    private volatile Operations operations;
    private final Map<String, Table> tables = new ConcurrentHashMap<>();

    private final Map<String, List<Record>> recentTraces =
            Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, List<Record>> eldest) {
                    return size() > CACHED_TRACES;
                }
            });

    public TraceQueries(IcebergCatalogConf catalog, Duration lookback, Clock clock) {
        this.catalog = catalog;
        this.lookup = new TraceLookup(catalog);
        this.lookback = lookback;
        this.clock = clock;
    }

    /**
     * The trace's spans, in no order; empty if it was not kept or is past retention. The answers of
     * the last {@value #CACHED_TRACES} traces asked for are kept while the tables stay at the
     * snapshots they were read from.
     */
    public List<Record> trace(String traceId) {
        lookup.refresh();
        String key = traceId + "@" + lookup.snapshots();
        List<Record> cached = recentTraces.get(key);
        if (cached != null) {
            return cached;
        }
        List<Record> spans = List.copyOf(lookup.find(traceId).spans());
        recentTraces.put(key, spans);
        return spans;
    }

    /**
     * The traces found by {@code search}, each one's spans: matching spans are read from the
     * service's partitions of the hours searched (the table's layout makes that a file an hour
     * after compaction), and the traces they belong to through {@code trace_index}, together.
     */
    public List<List<Record>> search(Search search) {
        lookup.refresh();
        Expression filter = Expressions.and(
                Expressions.equal("service_name", search.service()),
                Expressions.greaterThanOrEqual("start_time", micros(search.from())),
                Expressions.lessThan("start_time", micros(search.to())));
        if (!search.operation().isEmpty()) {
            filter = Expressions.and(filter, Expressions.equal("operation_name", search.operation()));
        }
        if (search.minDuration() != null) {
            filter = Expressions.and(
                    filter,
                    Expressions.greaterThanOrEqual(
                            "duration_ns", search.minDuration().toNanos()));
        }
        if (search.maxDuration() != null) {
            filter = Expressions.and(
                    filter,
                    Expressions.lessThanOrEqual(
                            "duration_ns", search.maxDuration().toNanos()));
        }
        Map<String, Long> newestMatch = new HashMap<>();
        // The attributes, a map a span, are read only when the search names some.
        List<String> columns = search.attributes().isEmpty()
                ? List.of("trace_id", "start_time_unix_nano")
                : List.of("trace_id", "start_time_unix_nano", "attributes", "error");
        try (CloseableIterable<Record> rows = IcebergGenerics.read(lookup.spans())
                .select(columns)
                .where(filter)
                .build()) {
            for (Record row : rows) {
                if (hasAttributes(row, search.attributes())) {
                    newestMatch.merge(
                            (String) row.getField("trace_id"), (Long) row.getField("start_time_unix_nano"), Math::max);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + lookup.spans().name(), e);
        }
        List<String> found = newestMatch.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(search.limit())
                .map(Map.Entry::getKey)
                .toList();
        Map<String, List<Record>> traces = lookup.findAll(found);
        return found.stream().filter(traces::containsKey).map(traces::get).toList();
    }

    /**
     * The calls between services whose minutes began in [{@code from}, {@code to}), from {@code
     * service_edges}, by caller and callee; calls within a service are left out, as Jaeger's
     * dependency graph has them. None if the table is not there yet.
     */
    public List<Dependency> dependencies(Instant from, Instant to) {
        Table edges;
        try {
            edges = table(ServiceEdgesTable.NAME);
        } catch (NoSuchTableException e) {
            return List.of();
        }
        Map<List<String>, Double> calls =
                new TreeMap<>(Comparator.comparing((List<String> k) -> k.get(0)).thenComparing(k -> k.get(1)));
        try (CloseableIterable<Record> rows = IcebergGenerics.read(edges)
                .select("caller_service", "callee_service", "estimated_calls")
                .where(Expressions.and(
                        Expressions.greaterThanOrEqual("window_start", micros(from)),
                        Expressions.lessThan("window_start", micros(to))))
                .build()) {
            for (Record row : rows) {
                String caller = (String) row.getField("caller_service");
                String callee = (String) row.getField("callee_service");
                if (!caller.equals(callee)) {
                    calls.merge(List.of(caller, callee), (Double) row.getField("estimated_calls"), Double::sum);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + ServiceEdgesTable.NAME, e);
        }
        return calls.entrySet().stream()
                .map(e -> new Dependency(e.getKey().get(0), e.getKey().get(1), Math.round(e.getValue())))
                .toList();
    }

    /**
     * The table, loaded once (a catalog round trip) and refreshed at each use, so that it shows the
     * job's latest commit. A table not created yet is looked for again next time.
     */
    private Table table(String name) {
        Table table = tables.computeIfAbsent(name, catalog::loadTable);
        table.refresh();
        return table;
    }

    /** Jaeger's tags: span attributes, and {@code error}, which Jaeger's UI searches by, the span's error flag. */
    private static boolean hasAttributes(Record row, Map<String, String> wanted) {
        Map<String, String> attributes = OtlpJson.stringMap(row.getField("attributes"));
        for (Map.Entry<String, String> condition : wanted.entrySet()) {
            String value = condition.getKey().equals("error") && !attributes.containsKey("error")
                    ? String.valueOf(row.getField("error"))
                    : attributes.get(condition.getKey());
            if (!condition.getValue().equals(value)) {
                return false;
            }
        }
        return true;
    }

    private static long micros(Instant instant) {
        return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000L;
    }

    /** The services with spans in the lookback, by name. */
    public List<String> services() {
        return List.copyOf(operationsByService().keySet());
    }

    /** A service's operations in the lookback, of one span kind (lowercase) or of any if empty. */
    public List<Operation> operations(String service, String spanKind) {
        return operationsByService().getOrDefault(service, Set.of()).stream()
                .filter(operation -> spanKind.isEmpty() || operation.spanKind().equals(spanKind))
                .toList();
    }

    private Map<String, Set<Operation>> operationsByService() {
        Table metrics;
        try {
            metrics = table(ServiceMetricsTable.NAME);
        } catch (NoSuchTableException e) {
            return Map.of();
        }
        Snapshot current = metrics.currentSnapshot();
        if (current == null) {
            return Map.of();
        }
        Operations cached = operations;
        if (cached != null && cached.snapshotId() == current.snapshotId()) {
            return cached.byService();
        }
        Map<String, Set<Operation>> byService = new TreeMap<>();
        long fromMicros = clock.instant().minus(lookback).toEpochMilli() * 1_000L;
        try (CloseableIterable<Record> rows = IcebergGenerics.read(metrics)
                .useSnapshot(current.snapshotId())
                .select("service_name", "operation_name", "span_kind")
                .where(Expressions.greaterThanOrEqual("window_start", fromMicros))
                .build()) {
            for (Record row : rows) {
                byService
                        .computeIfAbsent((String) row.getField("service_name"), k -> new TreeSet<>())
                        .add(new Operation(
                                (String) row.getField("operation_name"),
                                OtlpJson.text(row.getField("span_kind")).toLowerCase(Locale.ROOT)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + ServiceMetricsTable.NAME, e);
        }
        operations = new Operations(current.snapshotId(), byService);
        return byService;
    }
}

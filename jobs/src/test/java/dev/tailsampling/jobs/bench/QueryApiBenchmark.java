package dev.tailsampling.jobs.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailsampling.iceberg.IcebergCatalogConf;
import dev.tailsampling.jobs.query.QueryServer;
import dev.tailsampling.jobs.query.TraceQueries;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

/**
 * The query API over a warehouse the storage benchmark left ({@code --warehouse DIR}): a trace by
 * id in both APIs and a search of one service's last hour, each timed end to end over HTTP on this
 * machine (the server started in this JVM, as {@code serve} starts it), after 20 requests to warm
 * up. Prints medians and 90th percentiles; asserts nothing but that every answer is a 200 with
 * what was asked for.
 */
public final class QueryApiBenchmark {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private QueryApiBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        if (!options.containsKey("warehouse")) {
            throw new IllegalArgumentException("give --warehouse DIR, a warehouse the storage benchmark left");
        }
        int lookups = Integer.parseInt(options.getOrDefault("lookups", "100"));
        int searches = Integer.parseInt(options.getOrDefault("searches", "20"));
        IcebergCatalogConf catalog = IcebergCatalogConf.localWarehouse(
                Path.of(options.get("warehouse")).toUri().toString());
        PrintStream out = System.out;

        // Trace ids drawn evenly from every index row (reservoir sampling), and the data's last hour.
        int wanted = 3 * (lookups + 20);
        List<String> ids = new ArrayList<>();
        Instant lastHour = Instant.EPOCH;
        Random random = new Random(3);
        try (CloseableIterable<Record> rows = IcebergGenerics.read(catalog.loadTable("trace_index"))
                .select("trace_id", "span_hour")
                .build()) {
            long seen = 0;
            for (Record index : rows) {
                Instant hour = ((OffsetDateTime) index.getField("span_hour")).toInstant();
                lastHour = hour.isAfter(lastHour) ? hour : lastHour;
                seen++;
                if (ids.size() < wanted) {
                    ids.add((String) index.getField("trace_id"));
                } else if (random.nextLong(seen) < wanted) {
                    ids.set(random.nextInt(wanted), (String) index.getField("trace_id"));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (QueryServer server = QueryServer.start(
                new TraceQueries(catalog, Duration.ofDays(7), Clock.systemUTC()),
                new QueryServer.Settings("localhost", 0, Duration.ofSeconds(60), 20_000))) {
            URI base = server.uri();
            out.printf(
                    "Query API over %s, %d trace ids, last hour %s%n", options.get("warehouse"), ids.size(), lastHour);
            // Each API gets ids of its own (an id asked for again is answered from the cache), after a
            // third of them warmed the JVM up.
            int third = ids.size() / 3;
            time(base, ids.subList(0, third), id -> "api/v3/traces/" + id, true);
            List<String> v3Ids = ids.subList(third, 2 * third);
            List<String> classicIds = ids.subList(2 * third, 3 * third);
            report(out, "trace by id, v3 (OTLP/JSON)", time(base, v3Ids, id -> "api/v3/traces/" + id, true));
            report(out, "trace by id, classic (Jaeger JSON)", time(base, classicIds, id -> "api/traces/" + id, true));
            report(out, "trace by id, v3, asked again (cached)", time(base, v3Ids, id -> "api/v3/traces/" + id, true));

            List<String> names = new ArrayList<>();
            new ObjectMapper()
                    .readTree(get(base.resolve("api/v3/services")).body())
                    .path("services")
                    .forEach(name -> names.add(name.asText()));
            List<String> searched = new ArrayList<>();
            for (int i = 0; i < searches + 20; i++) {
                searched.add(names.get(i % names.size()));
            }
            Instant from = lastHour;
            Instant to = lastHour.plus(Duration.ofHours(1));
            report(
                    out,
                    "search: a service's last hour, 20 traces",
                    time(
                            base,
                            searched,
                            s -> "api/v3/traces?query.serviceName=" + s + "&query.startTimeMin=" + from
                                    + "&query.startTimeMax=" + to,
                            false));
            report(
                    out,
                    "search: a service's last hour slower than 500 ms, 20 traces",
                    time(
                            base,
                            searched,
                            s -> "api/v3/traces?query.serviceName=" + s + "&query.startTimeMin=" + from
                                    + "&query.startTimeMax=" + to + "&query.durationMin=0.5s",
                            false));
        }
        System.exit(0);
    }

    /**
     * Request times in nanoseconds, the first 20 left out as warm-up; every answer must be a 200,
     * and name its key (the trace id) if {@code named}.
     */
    private static long[] time(URI base, List<String> keys, Function<String, String> path, boolean named)
            throws Exception {
        long[] took = new long[keys.size() - 20];
        for (int i = 0; i < keys.size(); i++) {
            long t0 = System.nanoTime();
            HttpResponse<String> response = get(base.resolve(path.apply(keys.get(i))));
            long elapsed = System.nanoTime() - t0;
            if (response.statusCode() != 200 || (named && !response.body().contains(keys.get(i)))) {
                throw new IllegalStateException(path.apply(keys.get(i)) + " answered " + response.statusCode() + ": "
                        + response.body()
                                .substring(0, Math.min(300, response.body().length())));
            }
            if (i >= 20) {
                took[i - 20] = elapsed;
            }
        }
        return took;
    }

    private static HttpResponse<String> get(URI uri) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void report(PrintStream out, String what, long[] nanos) {
        out.printf(
                "  %s: median %.1f ms, p90 %.1f ms (%d requests)%n",
                what,
                WarehouseBenchmark.median(nanos) / 1e6,
                WarehouseBenchmark.quantile(nanos, 0.9) / 1e6,
                nanos.length);
    }
}

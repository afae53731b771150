package dev.tailsampling.local;

import dev.tailsampling.iceberg.WarehouseSql;
import java.util.List;
import org.apache.flink.types.Row;

/** The questions the local run answers at its end, in Flink SQL over spans and service_metrics. */
final class AnalystQueries {
    static final String KEPT_PER_POLICY =
            "SELECT sampling_policy, COUNT(DISTINCT trace_id) AS traces, COUNT(*) AS spans,"
                    + " CAST(SUM(adjusted_count) AS BIGINT) AS estimated_spans"
                    + " FROM spans GROUP BY sampling_policy ORDER BY traces DESC";

    static final String SLOWEST_PER_SERVICE = "SELECT service_name, trace_id, duration_ms FROM ("
            + " SELECT service_name, trace_id, duration_ms, ROW_NUMBER() OVER ("
            + "   PARTITION BY service_name ORDER BY duration_ms DESC) AS rn FROM ("
            + "   SELECT service_name, trace_id, MAX(duration_ns) / 1000000 AS duration_ms"
            + "   FROM spans GROUP BY service_name, trace_id))"
            + " WHERE rn <= 2 ORDER BY service_name, duration_ms DESC";

    static final String ONE_ERROR_TRACE = "SELECT trace_id FROM spans WHERE error AND parent_span_id = '' LIMIT 1";

    static final String SPANS_OF_TRACE =
            "SELECT service_name, operation_name, span_kind, duration_ns / 1000000 AS duration_ms,"
                    + " status_code, sampling_policy FROM spans WHERE trace_id = '%s'"
                    + " ORDER BY start_time_unix_nano";

    static final String REQUESTS_PER_SERVICE = "SELECT service_name, SUM(request_count) AS spans_seen,"
            + " CAST(SUM(estimated_request_count) AS BIGINT) AS estimated_requests,"
            + " CAST(SUM(estimated_error_count) AS BIGINT) AS estimated_errors,"
            + " CAST(MAX(duration_p99_ms) AS BIGINT) AS worst_minute_p99_ms"
            + " FROM service_metrics WHERE span_kind = 'SERVER'"
            + " GROUP BY service_name ORDER BY service_name";

    private AnalystQueries() {}

    /** Prints the queries and their answers; the id of the kept error trace shown, or null if none was kept. */
    static String run(WarehouseSql sql) throws Exception {
        System.out.println("\nTraces kept per policy:\n  " + KEPT_PER_POLICY);
        sql.print(KEPT_PER_POLICY);
        System.out.println("\nSlowest kept traces per service:\n  " + SLOWEST_PER_SERVICE);
        sql.print(SLOWEST_PER_SERVICE);
        System.out.println("\nRequests per service from service_metrics (every span before the job sampled;"
                + " behind a head sampler each counts 1 / its head probability):\n  " + REQUESTS_PER_SERVICE);
        sql.print(REQUESTS_PER_SERVICE);
        List<Row> errorTrace = sql.query(ONE_ERROR_TRACE);
        if (errorTrace.isEmpty()) {
            System.out.println("\nNo error trace was kept, so there is no trace to look up.");
            return null;
        }
        String traceId = (String) errorTrace.get(0).getField(0);
        String query = String.format(SPANS_OF_TRACE, traceId);
        System.out.println("\nAll spans of one kept error trace, by its id:\n  " + query);
        sql.print(query);
        return traceId;
    }
}

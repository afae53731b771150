package dev.tailsampling.iceberg;

import static dev.tailsampling.iceberg.Rows.millis;
import static dev.tailsampling.iceberg.Rows.str;

import com.datadoghq.sketch.ddsketch.DDSketch;
import dev.tailsampling.sampling.metrics.OperationMinute;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;

/** Maps an {@link OperationMinute} to a row of {@link ServiceMetricsTable#SCHEMA}, durations in ms. */
public class ServiceMetricsRowMapper implements MapFunction<OperationMinute, RowData> {
    private static final long serialVersionUID = 1L;
    private static final double NANOS_PER_MS = 1e6;

    @Override
    public RowData map(OperationMinute minute) {
        DDSketch durations = minute.durations();
        double[] q = durations.isEmpty()
                ? new double[4]
                : durations.getValuesAtQuantiles(new double[] {0.5, 0.9, 0.95, 0.99});
        return GenericRowData.of(
                str(minute.serviceName),
                str(minute.operationName),
                str(minute.spanKind),
                millis(minute.minuteMillis),
                minute.requestCount,
                minute.errorCount,
                q[0] / NANOS_PER_MS,
                q[1] / NANOS_PER_MS,
                q[2] / NANOS_PER_MS,
                q[3] / NANOS_PER_MS,
                minute.maxNs / NANOS_PER_MS,
                OperationMinute.protobuf(durations),
                minute.estimatedRequests,
                minute.estimatedErrors);
    }
}

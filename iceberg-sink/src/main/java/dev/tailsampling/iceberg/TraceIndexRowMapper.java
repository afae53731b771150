package dev.tailsampling.iceberg;

import static dev.tailsampling.iceberg.Rows.millis;
import static dev.tailsampling.iceberg.Rows.str;

import dev.tailsampling.sampling.summary.TraceLocation;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;

/** Maps a {@link TraceLocation} to a row of {@link TraceIndexTable#SCHEMA}. */
public class TraceIndexRowMapper implements MapFunction<TraceLocation, RowData> {
    private static final long serialVersionUID = 1L;

    @Override
    public RowData map(TraceLocation location) {
        return GenericRowData.of(
                str(location.traceId), millis(location.hourMillis), str(location.serviceName), location.spanCount);
    }
}

package dev.tailsampling.iceberg;

import static dev.tailsampling.iceberg.Rows.str;
import static dev.tailsampling.iceberg.Rows.strings;
import static dev.tailsampling.iceberg.Rows.timestamp;

import dev.tailsampling.sampling.summary.ErrorSpan;
import dev.tailsampling.sampling.summary.FollowsFrom;
import dev.tailsampling.sampling.summary.KeptTrace;
import dev.tailsampling.sampling.summary.PathStep;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;

/** Maps a {@link KeptTrace} to a row of {@link TraceSummariesTable#SCHEMA}, field by field in order. */
public class TraceSummaryRowMapper implements MapFunction<KeptTrace, RowData> {
    private static final long serialVersionUID = 1L;

    @Override
    public RowData map(KeptTrace trace) {
        Object[] path = new Object[trace.criticalPath.size()];
        for (int i = 0; i < path.length; i++) {
            PathStep step = trace.criticalPath.get(i);
            path[i] = GenericRowData.of(
                    str(step.spanId),
                    str(step.serviceName),
                    str(step.operationName),
                    step.startOffsetNs,
                    step.durationNs,
                    step.selfTimeNs);
        }
        Object[] errors = new Object[trace.errorSpans.size()];
        for (int i = 0; i < errors.length; i++) {
            ErrorSpan error = trace.errorSpans.get(i);
            errors[i] = GenericRowData.of(
                    str(error.spanId),
                    str(error.serviceName),
                    str(error.operationName),
                    str(error.statusMessage),
                    error.httpStatusCode);
        }
        Object[] follows = new Object[trace.followsFrom.size()];
        for (int i = 0; i < follows.length; i++) {
            FollowsFrom link = trace.followsFrom.get(i);
            follows[i] = GenericRowData.of(str(link.spanId), str(link.linkedTraceId), str(link.linkedSpanId));
        }
        return GenericRowData.of(
                str(trace.traceId),
                str(trace.rootServiceName),
                str(trace.rootOperationName),
                timestamp(trace.startTimeUnixNano),
                trace.durationNs,
                trace.spanCount,
                trace.errorCount,
                strings(trace.services),
                new GenericArrayData(path),
                new GenericArrayData(errors),
                str(trace.samplingPolicy),
                str(trace.samplingTrigger),
                trace.sampleProbability,
                trace.adjustedCount,
                trace.traceIncomplete,
                new GenericArrayData(follows),
                str(trace.summaryNote));
    }
}

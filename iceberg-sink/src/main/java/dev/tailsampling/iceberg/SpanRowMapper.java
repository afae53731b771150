package dev.tailsampling.iceberg;

import static dev.tailsampling.iceberg.Rows.str;
import static dev.tailsampling.iceberg.Rows.timestamp;

import dev.tailsampling.sampling.Span;
import dev.tailsampling.sampling.SpanEvent;
import dev.tailsampling.sampling.SpanLink;
import java.util.List;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;

/** Maps a kept {@link Span} to a row of {@link SpansTable#SCHEMA}, field by field in order. */
public class SpanRowMapper implements MapFunction<Span, RowData> {
    private static final long serialVersionUID = 1L;

    @Override
    public RowData map(Span span) {
        GenericRowData row = new GenericRowData(SpansTable.SCHEMA.columns().size());
        int i = 0;
        row.setField(i++, str(span.traceId));
        row.setField(i++, str(span.spanId));
        row.setField(i++, str(span.parentSpanId));
        row.setField(i++, str(span.traceState));
        row.setField(i++, timestamp(span.startTimeUnixNano));
        row.setField(i++, span.startTimeUnixNano);
        row.setField(i++, span.endTimeUnixNano);
        row.setField(i++, span.durationNs);
        row.setField(i++, str(span.serviceName));
        row.setField(i++, str(span.operationName));
        row.setField(i++, str(span.spanKind));
        row.setField(i++, str(span.statusCode));
        row.setField(i++, str(span.statusMessage));
        row.setField(i++, str(span.httpMethod));
        row.setField(i++, span.httpStatusCode);
        row.setField(i++, str(span.httpRoute));
        row.setField(i++, str(span.urlPath));
        row.setField(i++, str(span.dbSystem));
        row.setField(i++, str(span.dbStatement));
        row.setField(i++, str(span.rpcService));
        row.setField(i++, str(span.rpcMethod));
        row.setField(i++, str(span.messagingSystem));
        row.setField(i++, str(span.peerService));
        row.setField(i++, str(span.serviceVersion));
        row.setField(i++, str(span.deploymentEnvironment));
        row.setField(i++, str(span.hostName));
        row.setField(i++, span.error);
        row.setField(i++, Rows.map(span.resourceAttributes));
        row.setField(i++, Rows.map(span.attributes));
        row.setField(i++, str(span.scopeName));
        row.setField(i++, str(span.scopeVersion));
        row.setField(i++, events(span.events));
        row.setField(i++, links(span.links));
        row.setField(i++, str(span.samplingPolicy));
        row.setField(i++, span.sampleProbability);
        row.setField(i++, span.adjustedCount);
        row.setField(i++, str(span.samplingTrigger));
        row.setField(i, span.traceIncomplete);
        return row;
    }

    private static GenericArrayData events(List<SpanEvent> events) {
        Object[] rows = new Object[events.size()];
        for (int i = 0; i < rows.length; i++) {
            SpanEvent event = events.get(i);
            rows[i] = GenericRowData.of(event.timeUnixNano, str(event.name), Rows.map(event.attributes));
        }
        return new GenericArrayData(rows);
    }

    private static GenericArrayData links(List<SpanLink> links) {
        Object[] rows = new Object[links.size()];
        for (int i = 0; i < rows.length; i++) {
            SpanLink link = links.get(i);
            rows[i] = GenericRowData.of(
                    str(link.traceId),
                    str(link.spanId),
                    str(link.traceState),
                    str(link.relationship),
                    Rows.map(link.attributes));
        }
        return new GenericArrayData(rows);
    }
}

package dev.tailsampling.sampling.summary;

import dev.tailsampling.sampling.Span;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where some of a kept trace's spans are stored: the hour their start falls in and their service.
 * A lookup by trace id reads these first, then only the hours they name.
 */
public class TraceLocation {
    private static final long HOUR_NANOS = 3_600_000_000_000L;

    public String traceId;
    /** Start of the hour, Unix milliseconds. */
    public long hourMillis;

    public String serviceName;
    public int spanCount;

    public TraceLocation() {}

    /** One location per hour and service of {@code spans}, all of one trace, in order of first span. */
    public static List<TraceLocation> of(List<Span> spans) {
        Map<String, TraceLocation> byPlace = new LinkedHashMap<>();
        for (Span span : spans) {
            long hourMillis = hourMillis(span);
            TraceLocation location = byPlace.computeIfAbsent(hourMillis + "/" + span.serviceName, k -> {
                TraceLocation created = new TraceLocation();
                created.traceId = span.traceId;
                created.hourMillis = hourMillis;
                created.serviceName = span.serviceName;
                return created;
            });
            location.spanCount++;
        }
        return new ArrayList<>(byPlace.values());
    }

    /** Start of the hour the span started in, Unix milliseconds: its {@code spans} partition's hour. */
    static long hourMillis(Span span) {
        return Math.floorDiv(span.startTimeUnixNano, HOUR_NANOS) * 3_600_000L;
    }
}

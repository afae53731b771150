package dev.tailsampling.sampling.summary;

import dev.tailsampling.sampling.Span;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A value of an indexed attribute in a kept trace, and where the spans that carry it are stored:
 * the hour their start falls in and their service. A question such as "the traces of user 42"
 * reads these first, then only the traces and partitions they name.
 */
public class AttributeLocation {
    public String key;
    public String value;
    public String traceId;
    /** Start of the hour, Unix milliseconds. */
    public long hourMillis;

    public String serviceName;

    public AttributeLocation() {}

    /**
     * One location per indexed key, value, hour and service of {@code spans}, all of one trace, in
     * order of first span. A span's own attribute wins over its resource's, as policies read them.
     */
    public static List<AttributeLocation> of(List<Span> spans, Set<String> indexedKeys) {
        if (indexedKeys.isEmpty()) {
            return List.of();
        }
        Map<List<Object>, AttributeLocation> distinct = new LinkedHashMap<>();
        for (Span span : spans) {
            long hourMillis = TraceLocation.hourMillis(span);
            for (String key : indexedKeys) {
                String value = span.attribute(key);
                if (value != null) {
                    distinct.computeIfAbsent(List.of(key, value, hourMillis, span.serviceName), k -> {
                        AttributeLocation location = new AttributeLocation();
                        location.key = key;
                        location.value = value;
                        location.traceId = span.traceId;
                        location.hourMillis = hourMillis;
                        location.serviceName = span.serviceName;
                        return location;
                    });
                }
            }
        }
        return new ArrayList<>(distinct.values());
    }
}

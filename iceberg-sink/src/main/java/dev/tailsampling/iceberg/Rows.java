package dev.tailsampling.iceberg;

import com.datadoghq.sketch.ddsketch.DDSketch;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericMapData;
import org.apache.flink.table.data.MapData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;

/** Conversions of our values to Flink's internal row values, shared by the row mappers. */
final class Rows {
    private Rows() {}

    /** Unix nanoseconds as a timestamp; the tables keep microseconds. */
    static TimestampData timestamp(long unixNanos) {
        return TimestampData.fromEpochMillis(
                Math.floorDiv(unixNanos, 1_000_000L), (int) Math.floorMod(unixNanos, 1_000_000L));
    }

    static TimestampData millis(long unixMillis) {
        return TimestampData.fromEpochMillis(unixMillis);
    }

    static StringData str(String value) {
        return value == null ? null : StringData.fromString(value);
    }

    static MapData map(Map<String, String> values) {
        Map<StringData, StringData> data = new HashMap<>(values.size() * 2);
        values.forEach((k, v) -> data.put(str(k), str(v)));
        return new GenericMapData(data);
    }

    /** A duration sketch's quantile in milliseconds, 0 for an empty sketch. */
    static double quantileMillis(DDSketch durationsNs, double quantile) {
        return durationsNs.isEmpty() ? 0 : durationsNs.getValueAtQuantile(quantile) / 1e6;
    }

    /** A list as an array column, each element made a row value by {@code element}. */
    static <E> GenericArrayData array(List<E> values, Function<? super E, ?> element) {
        Object[] out = new Object[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = element.apply(values.get(i));
        }
        return new GenericArrayData(out);
    }
}

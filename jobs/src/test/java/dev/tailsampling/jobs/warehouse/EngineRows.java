package dev.tailsampling.jobs.warehouse;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Rows of different engines as text they compare by, and the file that hands Flink SQL's answers
 * to the Spark check (module spark-queries), which writes its rows the same way.
 */
public final class EngineRows {
    private EngineRows() {}

    /** A row: whole numbers as such, others to 9 digits, times as instants, the rest as text. */
    public static String cells(int columns, IntFunction<Object> value) {
        List<String> cells = new ArrayList<>();
        for (int i = 0; i < columns; i++) {
            Object cell = value.apply(i);
            if (cell instanceof Double || cell instanceof Float || cell instanceof BigDecimal) {
                double number = ((Number) cell).doubleValue();
                cells.add(
                        number == Math.rint(number) && Math.abs(number) < 1e15
                                ? String.valueOf((long) number)
                                : String.format("%.9g", number));
            } else if (cell instanceof Number number) {
                cells.add(String.valueOf(number.longValue()));
            } else if (cell instanceof OffsetDateTime time) {
                cells.add(time.toInstant().toString());
            } else {
                cells.add(String.valueOf(cell));
            }
        }
        return String.join(" | ", cells);
    }

    /** Writes what the Spark check needs: where the tables are, values to put in the queries, and the rows. */
    public static void writeAnswers(
            Path file, Map<String, String> catalog, Map<String, String> replace, Map<String, List<String>> rows)
            throws IOException {
        new ObjectMapper()
                .writerWithDefaultPrettyPrinter()
                .writeValue(file.toFile(), Map.of("catalog", catalog, "replace", replace, "rows", rows));
    }
}

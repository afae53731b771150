package dev.tailsampling.spark;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** A local Spark session on one Iceberg catalog, and its rows as the jobs module's tests wrote Flink SQL's. */
final class SparkRows {
    private SparkRows() {}

    /**
     * The answers a jobs module test left: the catalog, values to put in the queries, and Flink
     * SQL's rows by question.
     */
    static JsonNode answers(Path file) throws IOException {
        assertThat(file)
                .as("the jobs module's tests write the tables and Flink SQL's answers first: run mvn verify from"
                        + " the project's root")
                .exists();
        return new ObjectMapper().readTree(file.toFile());
    }

    /** Spark in this JVM with Iceberg's catalog {@code lake} (its properties), namespace tracing current. */
    static SparkSession session(Map<String, String> catalog) {
        SparkSession.Builder builder = SparkSession.builder()
                .master("local[2]")
                .appName("queries")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.sql.datetime.java8API.enabled", "true")
                .config("spark.sql.extensions", "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
                .config("spark.sql.catalog.lake", "org.apache.iceberg.spark.SparkCatalog");
        catalog.forEach((key, value) -> builder.config("spark.sql.catalog.lake." + key, value));
        SparkSession spark = builder.getOrCreate();
        spark.sql("USE lake.tracing");
        return spark;
    }

    /** The query's rows as text, sorted. */
    static List<String> rows(SparkSession spark, String sql) {
        return spark.sql(sql).collectAsList().stream()
                .map(SparkRows::cells)
                .sorted()
                .collect(Collectors.toList());
    }

    /** Flink SQL's rows for a question, as the answers file has them. */
    static List<String> expected(JsonNode rows) {
        List<String> out = new ArrayList<>();
        rows.forEach(row -> out.add(row.asText()));
        return out;
    }

    /** Whole numbers as such, others to 9 digits, times as instants, the rest as text. */
    private static String cells(Row row) {
        List<String> cells = new ArrayList<>();
        for (int i = 0; i < row.length(); i++) {
            Object cell = row.get(i);
            if (cell instanceof Double || cell instanceof Float || cell instanceof BigDecimal) {
                double number = ((Number) cell).doubleValue();
                cells.add(
                        number == Math.rint(number) && Math.abs(number) < 1e15
                                ? String.valueOf((long) number)
                                : String.format("%.9g", number));
            } else if (cell instanceof Number number) {
                cells.add(String.valueOf(number.longValue()));
            } else if (cell instanceof Timestamp time) {
                cells.add(time.toInstant().toString());
            } else if (cell instanceof Instant time) {
                cells.add(time.toString());
            } else {
                cells.add(String.valueOf(cell));
            }
        }
        return String.join(" | ", cells);
    }
}

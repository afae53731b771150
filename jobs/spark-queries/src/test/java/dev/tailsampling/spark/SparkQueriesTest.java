package dev.tailsampling.spark;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every question of docs/queries.md in Spark SQL (its own query where the doc gives one, the Flink
 * SQL one elsewhere), on the warehouse the jobs module's QueriesDocTest generated with the job's
 * writers, through Iceberg's Spark catalog: each must give the rows Flink SQL gave there.
 */
class SparkQueriesTest {
    private static final Path DOC = Paths.get("..", "..", "docs", "queries.md");
    private static final Path ANSWERS = Paths.get("..", "target", "queries-answers.json");

    private static SparkSession spark;
    private static JsonNode answers;

    @BeforeAll
    static void start() throws Exception {
        assertThat(ANSWERS)
                .as("the jobs module's QueriesDocTest writes the warehouse and Flink SQL's answers first:"
                        + " run mvn verify from the project's root")
                .exists();
        answers = new ObjectMapper().readTree(ANSWERS.toFile());
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("queries")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.sql.datetime.java8API.enabled", "true")
                .config("spark.sql.extensions", "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
                .config("spark.sql.catalog.lake", "org.apache.iceberg.spark.SparkCatalog")
                .config("spark.sql.catalog.lake.type", "hadoop")
                .config(
                        "spark.sql.catalog.lake.warehouse",
                        answers.get("warehouse").asText())
                .getOrCreate();
        spark.sql("USE lake.tracing");
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    void sparkAnswersEveryQuestionWithTheRowsFlinkSqlGave() throws Exception {
        Map<String, String> flinkSql = queries("");
        Map<String, String> sparkSql = queries(" (spark)");
        assertThat(flinkSql).containsKeys(sparkSql.keySet().toArray(String[]::new));
        Iterator<Map.Entry<String, JsonNode>> expected = answers.get("rows").fields();
        List<String> checked = new ArrayList<>();
        while (expected.hasNext()) {
            Map.Entry<String, JsonNode> question = expected.next();
            String name = question.getKey();
            String sql = forFixture(sparkSql.getOrDefault(name, flinkSql.get(name)));
            List<String> rows = spark.sql(sql).collectAsList().stream()
                    .map(SparkQueriesTest::cells)
                    .sorted()
                    .collect(Collectors.toList());
            List<String> flinkRows = new ArrayList<>();
            question.getValue().forEach(row -> flinkRows.add(row.asText()));
            assertThat(rows).as(name + ": " + sql).isEqualTo(flinkRows);
            checked.add(name);
        }
        assertThat(checked).containsExactlyInAnyOrderElementsOf(flinkSql.keySet());
    }

    /** The doc's queries by name, of the dialect marked by {@code suffix} (none for Flink SQL). */
    private static Map<String, String> queries(String suffix) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher block = Pattern.compile(
                        "```sql\\n-- query: ([a-z-]+)" + Pattern.quote(suffix) + "\\n(.*?)```", Pattern.DOTALL)
                .matcher(Files.readString(DOC));
        while (block.find()) {
            out.put(block.group(1), block.group(2).trim());
        }
        return out;
    }

    /** The doc's values as the generated warehouse has them: its hours, its user, the instant Flink ran at. */
    private static String forFixture(String sql) {
        Map<String, String> replace = new LinkedHashMap<>();
        answers.get("replace")
                .fields()
                .forEachRemaining(e -> replace.put(e.getKey(), e.getValue().asText()));
        Matcher found = Pattern.compile(
                        replace.keySet().stream().map(Pattern::quote).collect(Collectors.joining("|")))
                .matcher(sql);
        return found.replaceAll(m -> Matcher.quoteReplacement(replace.get(m.group())));
    }

    /** A row as the jobs module's test wrote Flink's: whole numbers as such, others to 9 digits, times as instants. */
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

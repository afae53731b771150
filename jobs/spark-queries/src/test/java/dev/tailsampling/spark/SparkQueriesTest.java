package dev.tailsampling.spark;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
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

    private static JsonNode answers;
    private static SparkSession spark;

    @BeforeAll
    static void start() throws Exception {
        answers = SparkRows.answers(Paths.get("..", "target", "queries-answers.json"));
        spark = SparkRows.session(Map.of(
                "type", "hadoop", "warehouse", answers.at("/catalog/warehouse").asText()));
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
        List<String> checked = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> questions = answers.get("rows").fields();
        while (questions.hasNext()) {
            Map.Entry<String, JsonNode> question = questions.next();
            String name = question.getKey();
            String sql = forFixture(sparkSql.getOrDefault(name, flinkSql.get(name)));
            assertThat(SparkRows.rows(spark, sql))
                    .as(name + ": " + sql)
                    .isEqualTo(SparkRows.expected(question.getValue()));
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
}

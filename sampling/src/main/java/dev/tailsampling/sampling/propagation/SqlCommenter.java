package dev.tailsampling.sampling.propagation;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Trace context in SQL comments, in the sqlcommenter format: a comment at the end of the statement
 * holding {@code traceparent='00-…-…-01'} (and {@code tracestate} when there is one), keys sorted,
 * values URL-encoded and single-quoted. The
 * database logs the statement with its comment, so its slow-query log joins the trace; the span's
 * {@code db.statement} (or {@code db.query.text}) carries it too, and {@link #extract} reads it back.
 */
public final class SqlCommenter {
    private static final Pattern LAST_COMMENT = Pattern.compile("/\\*([^*]*(?:\\*(?!/)[^*]*)*)\\*/\\s*;?\\s*$");
    private static final Pattern PAIR = Pattern.compile("\\s*([^=,\\s]+)\\s*=\\s*'((?:[^'\\\\]|\\\\.)*)'\\s*(?:,|$)");

    private SqlCommenter() {}

    /**
     * The statement with the span context of {@code context} in a trailing comment; unchanged when
     * there is no valid span context or the statement already ends in a comment.
     */
    public static String comment(String sql, Context context) {
        SpanContext span = Span.fromContext(context).getSpanContext();
        if (!span.isValid() || LAST_COMMENT.matcher(sql).find()) {
            return sql;
        }
        Map<String, String> sorted = new TreeMap<>(TraceParent.headers(span));
        StringBuilder comment = new StringBuilder("/*");
        sorted.forEach((key, value) -> {
            if (comment.length() > 2) {
                comment.append(',');
            }
            comment.append(encode(key))
                    .append("='")
                    .append(encode(value).replace("'", "\\'"))
                    .append('\'');
        });
        comment.append("*/");
        String trimmed = sql.stripTrailing();
        return trimmed.endsWith(";")
                ? trimmed.substring(0, trimmed.length() - 1).stripTrailing() + " " + comment + ";"
                : trimmed + " " + comment;
    }

    /** The span context in a statement's trailing sqlcommenter comment, or the invalid context. */
    public static SpanContext extract(String statement) {
        if (statement == null) {
            return SpanContext.getInvalid();
        }
        Matcher comment = LAST_COMMENT.matcher(statement);
        if (!comment.find()) {
            return SpanContext.getInvalid();
        }
        Map<String, String> pairs = new TreeMap<>();
        Matcher pair = PAIR.matcher(comment.group(1));
        while (pair.find()) {
            pairs.put(decode(pair.group(1)), decode(pair.group(2).replace("\\'", "'")));
        }
        return TraceParent.fromHeaders(pairs);
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }
}

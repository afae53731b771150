package dev.tailsampling.operators.otlp;

import static dev.tailsampling.operators.otlp.OtlpTestData.attr;
import static dev.tailsampling.operators.otlp.OtlpTestData.request;
import static dev.tailsampling.operators.otlp.OtlpTestData.resourceSpans;
import static dev.tailsampling.operators.otlp.OtlpTestData.span;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tailsampling.sampling.Span;
import io.opentelemetry.proto.resource.v1.Resource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedactionTest {
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

    @TempDir
    Path temp;

    private Redaction rules() throws Exception {
        Path key = Files.writeString(temp.resolve("hash.key"), "k3y");
        return new Redaction(Set.of("user.email"), Set.of("enduser.id"), key.toString(), true);
    }

    private static String hmac(String value) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec("k3y".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)), 0, 16);
    }

    @Test
    void dropsHashesAndSanitizesOnSpansEventsAndResources() throws Exception {
        Redaction.Redactor redactor = rules().open();
        io.opentelemetry.proto.trace.v1.Span span = span(TRACE, "00f067aa0ba902b7", "", "SELECT", 0, 1)
                .addAttributes(attr("user.email", "ada@example.com"))
                .addAttributes(attr("enduser.id", "ada"))
                .addAttributes(attr("db.statement", "SELECT * FROM users WHERE email = 'ada@example.com'"))
                .addAttributes(attr("http.method", "GET"))
                .addEvents(io.opentelemetry.proto.trace.v1.Span.Event.newBuilder()
                        .setName("login")
                        .addAttributes(attr("user.email", "ada@example.com")))
                .build();

        io.opentelemetry.proto.trace.v1.Span redacted = redactor.apply(span);

        assertThat(redacted.getAttributesList())
                .extracting(kv -> kv.getKey() + "=" + kv.getValue().getStringValue())
                .containsExactly(
                        "enduser.id=" + hmac("ada"),
                        "db.statement=SELECT * FROM users WHERE email = ?",
                        "http.method=GET");
        assertThat(redacted.getEvents(0).getAttributesList()).isEmpty();
        Resource resource = Resource.newBuilder()
                .addAttributes(attr("service.name", "shop"))
                .addAttributes(attr("user.email", "ops@example.com"))
                .build();
        assertThat(redactor.apply(resource).getAttributesList())
                .extracting(kv -> kv.getKey())
                .containsExactly("service.name");
    }

    @Test
    void leavesWhatNoRuleTouchesAsItIs() throws Exception {
        Redaction.Redactor redactor = rules().open();
        io.opentelemetry.proto.trace.v1.Span span = span(TRACE, "00f067aa0ba902b7", "", "GET /", 0, 1)
                .addAttributes(attr("http.method", "GET"))
                .build();

        assertThat(redactor.apply(span)).isSameAs(span);
        assertThat(Redaction.NONE.open().apply(span)).isSameAs(span);
    }

    @Test
    void redactsInTheDecoderBeforeSpansAreKeptOrDeadLettered() throws Exception {
        OtlpDecoder decoder =
                new OtlpDecoder(new DecodeLimits(1 << 20, 100, 10_000, 3, 3, 3, 1_000, null, null), rules().open());
        byte[] record = request(resourceSpans(
                        "shop",
                        span(TRACE, "00f067aa0ba902b7", "", "kept", 0, 1)
                                .addAttributes(attr("user.email", "ada@example.com")),
                        span(TRACE, "00f067aa0ba902b8", "", "refused", 0, 1)
                                .addAttributes(attr("user.email", "ada@example.com"))
                                .addAttributes(attr("a", 1))
                                .addAttributes(attr("b", 2))
                                .addAttributes(attr("c", 3))
                                .addAttributes(attr("d", 4))))
                .toByteArray();
        CollectingOutput output = new CollectingOutput();

        decoder.decode(record, 0, output);

        List<Span> kept = new ArrayList<>();
        SpanDecoder.decode(output.fragments.get(0).payload, kept);
        assertThat(kept).singleElement().satisfies(s -> assertThat(s.attributes).doesNotContainKey("user.email"));
        assertThat(output.deadLetters).singleElement().satisfies(d -> {
            assertThat(d.reason).isEqualTo(OtlpDecoder.TOO_MANY_ATTRIBUTES);
            assertThat(new String(d.payload, StandardCharsets.ISO_8859_1)).doesNotContain("ada@example.com");
        });
    }

    @Test
    void hashingNeedsAKeyFile() {
        assertThatThrownBy(() -> new Redaction(Set.of(), Set.of("enduser.id"), null, false))
                .hasMessageContaining("key file");
    }
}

package dev.tailsampling.sampling.head;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tailsampling.sampling.ConsistentProbability;
import dev.tailsampling.sampling.config.HeadSamplingFile;
import dev.tailsampling.sampling.config.PolicyFile;
import dev.tailsampling.sampling.config.PolicyFileException;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class HeadSamplerTest {
    private static final Path HYBRID = Path.of("../examples/hybrid-sampling.yaml");

    @Test
    void theHybridExampleHoldsHeadRulesAndTailPoliciesTheJobReads() {
        List<HeadRule> rules = HeadSamplingFile.load(HYBRID).rules();
        assertThat(rules)
                .extracting(HeadRule::appliesTo)
                .containsExactly("url.path starts_with \"/api/admin\"", "order.total >= 1000", "all_requests");
        assertThat(PolicyFile.load(HYBRID).policies.subPolicies()).hasSize(6);
    }

    @Test
    void refusesARuleOnWhatIsOnlyKnownAtSpanEndAndSaysToMakeItATailPolicy() {
        assertThatThrownBy(() -> HeadSamplingFile.parse("""
                head_sampling:
                  strategies:
                    - name: priority
                      type: attribute_based
                      rules:
                        - condition: http.status_code >= 500
                          sample_rate: 1.0
                """, "rules.yaml"))
                .isInstanceOf(PolicyFileException.class)
                .hasMessageContaining("rules.yaml: strategy 'priority' rule 1")
                .hasMessageContaining("http.status_code is only known when a span ends")
                .hasMessageContaining("move this rule to the tail policies");
    }

    @Test
    void refusesWhatItCannotUseNamingWhereAndWhatIsAccepted() {
        assertThatThrownBy(() -> parse("{name: p, type: probabilistic, sample_rate: 1.5}"))
                .hasMessageContaining("strategy 'p': 'sample_rate' must be from 0 to 1, was 1.5");
        assertThatThrownBy(() -> parse("{name: r, type: rate_limit, traces_per_second: 10, applies_to: busy}"))
                .hasMessageContaining("'applies_to' is 'busy': give all_requests or a group");
        assertThatThrownBy(() -> parse("{name: x, type: tail_magic}"))
                .hasMessageContaining(
                        "unknown type 'tail_magic'; known types: attribute_based, rate_limit, probabilistic");
        assertThatThrownBy(() -> parse(
                        "{name: all, type: probabilistic, sample_rate: 0.1}",
                        "{name: late, type: probabilistic, sample_rate: 1.0}"))
                .hasMessageContaining(
                        "strategy 'late': is never reached: strategy 'all' before it applies to every span");
        assertThatThrownBy(
                        () -> parse(
                                "{name: a, type: attribute_based, rules: [{default: {sample_rate: 0.1}}, {condition: 'a == 1', sample_rate: 1}]}"))
                .hasMessageContaining("rule 1 is the default and must come last");
        assertThatThrownBy(
                        () -> parse(
                                "{name: a, type: attribute_based, rules: [{condition: 'user.tier ~ premium', sample_rate: 1}]}"))
                .hasMessageContaining("is not '<attribute> <operator> <value>'");
        assertThatThrownBy(
                        () -> parse(
                                "{name: a, type: attribute_based, rules: [{condition: 'user.tier == premium', sample_rate: 1}]}"))
                .hasMessageContaining("must be a number, true, false or a quoted string");
    }

    private static HeadSamplingFile parse(String... strategies) {
        return HeadSamplingFile.parse(
                "head_sampling:\n  strategies:\n"
                        + java.util.Arrays.stream(strategies)
                                .map(s -> "    - " + s + "\n")
                                .collect(Collectors.joining()),
                "t.yaml");
    }

    @Test
    void conditionsReadStartTimeAttributesUnderOldAndNewNames() {
        Attributes admin = Attributes.of(
                AttributeKey.stringKey("url.full"),
                "https://shop/api/admin/users",
                AttributeKey.stringKey("user.tier"),
                "premium",
                AttributeKey.longKey("order.total"),
                1200L);
        assertThat(Condition.parse("http.url contains \"/api/admin\"").test("GET", SpanKind.SERVER, admin))
                .isTrue();
        assertThat(Condition.parse("user.tier == \"premium\"").test("GET", SpanKind.SERVER, admin))
                .isTrue();
        assertThat(Condition.parse("user.tier != \"premium\"").test("GET", SpanKind.SERVER, admin))
                .isFalse();
        assertThat(Condition.parse("order.total >= 1000").test("GET", SpanKind.SERVER, admin))
                .isTrue();
        assertThat(Condition.parse("order.total < 1000").test("GET", SpanKind.SERVER, admin))
                .isFalse();
        assertThat(Condition.parse("span.name matches \"^GET\"").test("GET /x", SpanKind.SERVER, admin))
                .isTrue();
        assertThat(Condition.parse("span.kind == \"CLIENT\"").test("GET /x", SpanKind.SERVER, admin))
                .isFalse();
        assertThat(Condition.parse("order.total >= 1000").test("GET", SpanKind.SERVER, Attributes.empty()))
                .isFalse();
    }

    /** The example's head block inside the real SDK, exported with its in-memory exporter. */
    @Test
    void insideTheSdkKeepsAlwaysSampleClassesAndTheRateOfTheRestWritesTheThresholdAndChildrenFollow() {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setSampler(HeadSampler.fromFile(HYBRID))
                .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                .build();
        Tracer tracer = provider.get("test");
        int plain = 20_000;
        Set<String> plainIds = new HashSet<>();
        for (int i = 0; i < plain; i++) {
            plainIds.add(trace(tracer, "/checkout", 80));
        }
        Set<String> admin = new HashSet<>();
        Set<String> bigOrders = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            admin.add(trace(tracer, "/api/admin/users", 10));
            bigOrders.add(trace(tracer, "/checkout", 2_500));
        }
        provider.forceFlush();
        List<SpanData> spans = exporter.getFinishedSpanItems();
        Map<String, List<SpanData>> byTrace = spans.stream().collect(Collectors.groupingBy(SpanData::getTraceId));

        assertThat(byTrace.keySet()).containsAll(admin).containsAll(bigOrders);
        long threshold10 = ConsistentProbability.threshold(0.1);
        int keptPlain = 0;
        for (String id : plainIds) {
            boolean kept = byTrace.containsKey(id);
            assertThat(kept)
                    .as("trace %s kept exactly when its randomness is at or above the 10 %% threshold", id)
                    .isEqualTo(ConsistentProbability.randomness(id) >= threshold10);
            keptPlain += kept ? 1 : 0;
        }
        double se = Math.sqrt(plain * 0.1 * 0.9);
        assertThat((double) keptPlain).isBetween(plain * 0.1 - 4 * se, plain * 0.1 + 4 * se);

        for (List<SpanData> trace : byTrace.values()) {
            assertThat(trace).as("root and child are both kept").hasSize(2);
            String id = trace.get(0).getTraceId();
            String expected = admin.contains(id) || bigOrders.contains(id) ? "th:0" : "th:" + hex(threshold10);
            for (SpanData span : trace) {
                assertThat(span.getSpanContext().getTraceState().get("ot")).isEqualTo(expected);
            }
        }
        provider.close();
    }

    /** A root span at {@code path} for an order of {@code total}, with one child; its trace id. */
    private static String trace(Tracer tracer, String path, long total) {
        Span root = tracer.spanBuilder("GET " + path)
                .setSpanKind(SpanKind.SERVER)
                .setNoParent()
                .setAttribute("url.path", path)
                .setAttribute("order.total", total)
                .startSpan();
        tracer.spanBuilder("SELECT")
                .setParent(Context.root().with(root))
                .startSpan()
                .end();
        root.end();
        return root.getSpanContext().getTraceId();
    }

    /** The 56-bit threshold as tracestate writes it: 14 hex digits without trailing zeros. */
    private static String hex(long threshold) {
        String digits = String.format("%014x", threshold).replaceAll("0+$", "");
        return digits.isEmpty() ? "0" : digits;
    }

    @Test
    void followsASampledRemoteParentAndItsThresholdWhateverTheRules() {
        Sampler sampler = HeadSampler.create(
                parse("{name: none, type: probabilistic, sample_rate: 0.0}").rules());
        // th:8 is a probability of one half; the trace id's random bits (c8eb…) are above it, as a
        // parent kept by a consistent sampler has them.
        SpanContext parent = SpanContext.createFromRemoteParent(
                "0af7651916cd43dd84c8eb211c80319c",
                "b7ad6b7169203331",
                TraceFlags.getSampled(),
                TraceState.builder().put("ot", "th:8").build());
        Context context = Context.root().with(Span.wrap(parent));
        var result = sampler.shouldSample(
                context, parent.getTraceId(), "child", SpanKind.INTERNAL, Attributes.empty(), List.of());
        assertThat(result.getDecision()).isEqualTo(SamplingDecision.RECORD_AND_SAMPLE);
        assertThat(result.getUpdatedTraceState(parent.getTraceState()).get("ot"))
                .isEqualTo("th:8");

        var root = sampler.shouldSample(
                Context.root(), parent.getTraceId(), "root", SpanKind.SERVER, Attributes.empty(), List.of());
        assertThat(root.getDecision()).isEqualTo(SamplingDecision.DROP);
    }

    /** A trace the head keeps at rate p, the job's own consistent rule keeps at every rate ≥ p. */
    @Test
    void aTraceKeptAtOneRateIsKeptAtEveryHigherRateByTheHeadAndByTheJob() {
        double[] rates = {0.01, 0.05, 0.1, 0.3, 1.0};
        Sampler[] samplers = new Sampler[rates.length];
        for (int i = 0; i < rates.length; i++) {
            samplers[i] = HeadSampler.create(parse("{name: p, type: probabilistic, sample_rate: " + rates[i] + "}")
                    .rules());
        }
        Random random = new Random(11);
        int checked = 0;
        for (int t = 0; t < 20_000; t++) {
            String traceId = String.format("%016x%016x", random.nextLong(), random.nextLong());
            for (int i = 0; i < rates.length; i++) {
                boolean head = samplers[i]
                                .shouldSample(
                                        Context.root(), traceId, "root", SpanKind.SERVER, Attributes.empty(), List.of())
                                .getDecision()
                        == SamplingDecision.RECORD_AND_SAMPLE;
                assertThat(head)
                        .as("head and job agree on %s at %s", traceId, rates[i])
                        .isEqualTo(ConsistentProbability.isSampled(traceId, rates[i]));
                if (head) {
                    for (int j = i; j < rates.length; j++) {
                        assertThat(ConsistentProbability.isSampled(traceId, rates[j]))
                                .isTrue();
                        checked++;
                    }
                    break;
                }
            }
        }
        assertThat(checked).isGreaterThan(5_000);
    }

    @Test
    void aRateLimitHoldsItsEndpointsWhileOtherRulesStillApply() {
        HeadSamplingFile file = HeadSamplingFile.parse("""
                head_sampling:
                  endpoint_groups:
                    high_volume_endpoints: ["/api/search", "/api/feed/*"]
                  strategies:
                    - name: rate_limiting
                      type: rate_limit
                      traces_per_second: 20
                      applies_to: high_volume_endpoints
                    - name: rest
                      type: probabilistic
                      sample_rate: 1.0
                """, "limit.yaml");
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setSampler(HeadSampler.create(file.rules()))
                .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                .build();
        Tracer tracer = provider.get("test");
        int each = 5_000;
        for (int i = 0; i < each; i++) {
            tracer.spanBuilder("GET")
                    .setNoParent()
                    .setAttribute("http.route", "/api/search")
                    .startSpan()
                    .end();
            tracer.spanBuilder("GET")
                    .setNoParent()
                    .setAttribute("url.path", "/api/feed/42")
                    .startSpan()
                    .end();
            tracer.spanBuilder("GET")
                    .setNoParent()
                    .setAttribute("http.route", "/checkout")
                    .startSpan()
                    .end();
        }
        Map<String, Long> kept = exporter.getFinishedSpanItems().stream()
                .collect(Collectors.groupingBy(
                        s -> s.getAttributes().get(AttributeKey.stringKey("http.route")) == null
                                ? "feed"
                                : s.getAttributes().get(AttributeKey.stringKey("http.route")),
                        Collectors.counting()));
        assertThat(kept.get("/checkout")).isEqualTo(each);
        // 2 × 5,000 limited spans started within far less than the 250 s that 20 a second would need.
        assertThat(kept.getOrDefault("/api/search", 0L) + kept.getOrDefault("feed", 0L))
                .isLessThan(each);
        provider.close();
    }
}

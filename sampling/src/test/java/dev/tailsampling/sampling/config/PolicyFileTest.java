package dev.tailsampling.sampling.config;

import static dev.tailsampling.sampling.TestTraces.of;
import static dev.tailsampling.sampling.TestTraces.span;
import static dev.tailsampling.sampling.TestTraces.traceIdWithRandomness;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tailsampling.sampling.Decision;
import dev.tailsampling.sampling.PolicyContext;
import dev.tailsampling.sampling.PolicySet;
import dev.tailsampling.sampling.SamplingPolicy;
import dev.tailsampling.sampling.Span;
import dev.tailsampling.sampling.policy.UnusualPathPolicy;
import dev.tailsampling.sampling.rates.SamplingRate;
import dev.tailsampling.sampling.rates.SamplingRates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyFileTest {

    private static PolicyFile parse(String yaml) {
        return PolicyFile.parse(yaml, "policies.yaml");
    }

    @Test
    void aCollectorConfigurationLoadsUnchanged() throws Exception {
        Path file =
                Path.of(getClass().getResource("/collector-tail-sampling.yaml").toURI());

        PolicyFile policies = PolicyFile.load(file);

        assertThat(policies.decisionWait).isEqualTo(Duration.ofSeconds(20));
        assertThat(policies.policies.subPolicies())
                .extracting(SamplingPolicy::name)
                .containsExactly(
                        "keep-errors",
                        "keep-slow",
                        "keep-band",
                        "big-orders",
                        "vip",
                        "admin",
                        "forced",
                        "sampled-upstream",
                        "canary",
                        "odd-shapes",
                        "payments-sample",
                        "not-internal",
                        "drop-health",
                        "budget",
                        "spans-cap",
                        "bytes-cap",
                        "everything-else");
    }

    @Test
    void theLoadedPoliciesDecideAsWritten() throws Exception {
        PolicyFile file = PolicyFile.load(
                Path.of(getClass().getResource("/collector-tail-sampling.yaml").toURI()));
        file.policies.open(PolicyContext.standalone());
        String unlucky = traceIdWithRandomness(0);

        Span health = span("frontend", "GET", 3000, "url.path", "/health");
        Decision vetoed = file.policies.evaluate(of(unlucky, List.of(health)));
        assertThat(vetoed.outcome()).isEqualTo(Decision.Outcome.DROPPED);
        assertThat(vetoed.policy()).isEqualTo("drop-health");

        Span slow = span("frontend", "GET", 2500, "net.peer.name", "10.0.0.1");
        assertThat(file.policies.evaluate(of(unlucky, List.of(slow))).policy()).isEqualTo("keep-slow");
    }

    @Test
    void everyLoadedPolicySurvivesJavaSerializationAsTheJobShipsIt() throws Exception {
        PolicyFile file = PolicyFile.load(
                Path.of(getClass().getResource("/collector-tail-sampling.yaml").toURI()));
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(file.policies);
        }
        PolicySet copy;
        try (java.io.ObjectInputStream in =
                new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (PolicySet) in.readObject();
        }
        copy.open(PolicyContext.standalone());
        Span vip = span("shop", "GET", 5, "user.tier", "gold");
        assertThat(copy.evaluate(of(traceIdWithRandomness(0), List.of(vip))).policy())
                .isEqualTo("vip");
    }

    @Test
    void theExampleInTheDocsLoads() throws Exception {
        String doc = java.nio.file.Files.readString(Path.of("..", "docs", "policies.md"));
        int start = doc.indexOf("```yaml\ntail_sampling:") + "```yaml\n".length();
        String yaml = doc.substring(start, doc.indexOf("```", start));

        PolicyFile example = PolicyFile.parse(yaml, "docs/policies.md");

        assertThat(example.policies.subPolicies())
                .extracting(SamplingPolicy::name)
                .containsExactly("drop-health-checks", "errors", "slow", "payments", "representative");
    }

    @Test
    void theUnusualPathsExampleLoads() {
        PolicyFile example = PolicyFile.load(Path.of("..", "examples", "unusual-paths.yaml"));

        assertThat(example.policies.subPolicies())
                .extracting(SamplingPolicy::name)
                .containsExactly("errors", "slow", "unusual-paths", "representative");
        assertThat(example.policies.subPolicies().get(2)).isInstanceOf(UnusualPathPolicy.class);
    }

    @Test
    void aBareBlockAndATailSamplingRootLoadToo() {
        String policies = "policies: [{name: all, type: always_sample}]";
        assertThat(parse(policies).policies.subPolicies()).hasSize(1);
        assertThat(parse("tail_sampling:\n  " + policies).policies.subPolicies())
                .hasSize(1);
        assertThat(parse(policies).decisionWait).isNull();
    }

    @Test
    void refusesAnUnknownTypeNamingFileAndPolicy() {
        assertThatThrownBy(() -> parse("policies: [{name: slowish, type: latencyy}]"))
                .isInstanceOf(PolicyFileException.class)
                .hasMessageContaining("policies.yaml")
                .hasMessageContaining("policy 'slowish'")
                .hasMessageContaining("unknown policy type 'latencyy'")
                .hasMessageContaining("latency,");
    }

    @Test
    void refusesUnknownFieldsAtEveryLevel() {
        assertThatThrownBy(() -> parse("policies: [{name: s, type: latency, latency: {threshold: 5}}]"))
                .hasMessageContaining("policy 's' (latency)")
                .hasMessageContaining("unknown field 'threshold'")
                .hasMessageContaining("threshold_ms");
        assertThatThrownBy(() -> parse("policies: [{name: s, type: latency, latency: {threshold_ms: 5}, extra: 1}]"))
                .hasMessageContaining("unknown field 'extra'");
        assertThatThrownBy(() -> parse("decision_wiat: 5s\npolicies: [{name: a, type: always_sample}]"))
                .hasMessageContaining("unknown field 'decision_wiat'");
        assertThatThrownBy(() -> parse("policies: [{name: a, type: and, and: {and_sub_policy: ["
                        + "{name: b, type: status_code, status_code: {status_codes: [ERROR], x: 1}}]}}]"))
                .hasMessageContaining("policy 'b' (status_code)")
                .hasMessageContaining("unknown field 'x'");
    }

    @Test
    void refusesBadValues() {
        assertThatThrownBy(() ->
                        parse("policies: [{name: p, type: probabilistic, probabilistic: {sampling_percentage: 150}}]"))
                .hasMessageContaining("policy 'p' (probabilistic)")
                .hasMessageContaining("0 to 100");
        assertThatThrownBy(
                        () -> parse("policies: [{name: s, type: status_code, status_code: {status_codes: [FAILED]}}]"))
                .hasMessageContaining("'FAILED' is not one of OK, ERROR, UNSET");
        assertThatThrownBy(() -> parse("policies: [{name: r, type: string_attribute, string_attribute: "
                        + "{key: k, values: ['(unclosed'], enabled_regex_matching: true}}]"))
                .hasMessageContaining("not a valid regular expression");
        assertThatThrownBy(() -> parse(
                        "policies: [{name: l, type: latency, latency: {threshold_ms: 500, upper_threshold_ms: 100}}]"))
                .hasMessageContaining("the upper bound (100 ms) of policy l must be above its threshold (500 ms)");
        assertThatThrownBy(() -> parse("decision_wait: soon\npolicies: [{name: a, type: always_sample}]"))
                .hasMessageContaining("'decision_wait' must be a duration");
        assertThatThrownBy(() -> parse("policies: [{name: n, type: numeric_attribute, numeric_attribute: {key: k}}]"))
                .hasMessageContaining("give 'min_value', 'max_value' or both");
        assertThatThrownBy(() -> parse("policies: [{name: a, type: always_sample}, {name: a, type: always_sample}]"))
                .hasMessageContaining("same name");
        assertThatThrownBy(() -> parse("policies: []")).hasMessageContaining("at least one policy");
        assertThatThrownBy(() -> parse("policies: [{name: o, type: ottl_condition, ottl_condition: {span: [x]}}]"))
                .hasMessageContaining("OTTL conditions are not supported");
    }

    @Test
    void anUnusualPathPolicyTakesItsSettingsAndRefusesBadOnes() {
        PolicySet set = parse("policies: [{name: paths, type: unusual_path, unusual_path:"
                        + " {max_share: 0.01, min_traces: 10, window: 30m, max_signatures: 100}}]")
                .policies;
        Span root = span("shop", "GET /", 5);
        Span child = span("db", "query", 1);
        child.spanId = "0000000000000002";
        child.parentSpanId = root.spanId;
        for (int i = 0; i < 10; i++) {
            assertThat(set.evaluate(of(traceIdWithRandomness(i), List.of(root))).keeps())
                    .isFalse();
        }
        assertThat(set.evaluate(of(traceIdWithRandomness(0), List.of(root, child)))
                        .policy())
                .isEqualTo("paths");
        assertThat(parse("policies: [{name: u, type: unusual_path}]")
                        .policies
                        .subPolicies()
                        .get(0))
                .isInstanceOf(UnusualPathPolicy.class);

        assertThatThrownBy(() -> parse("policies: [{name: u, type: unusual_path, unusual_path: {max_share: 2}}]"))
                .hasMessageContaining("policy 'u' (unusual_path)")
                .hasMessageContaining("'max_share' must be between 0 and 1");
        assertThatThrownBy(
                        () -> parse(
                                "policies: [{name: u, type: unusual_path, unusual_path: {max_share: 0.01, max_signatures: 5}}]"))
                .hasMessageContaining("'max_signatures' must be at least 100");
        assertThatThrownBy(() -> parse("policies: [{name: u, type: unusual_path, unusual_path: {window: 0s}}]"))
                .hasMessageContaining("'window' must be longer than 0");
        assertThatThrownBy(() -> parse("policies: [{name: u, type: unusual_path, unusual_path: {max_shares: 1}}]"))
                .hasMessageContaining("unknown field 'max_shares'");
    }

    @Test
    void refusesACompositeThatDoesNotAddUp() {
        String composite = "policies: [{name: c, type: composite, composite: {max_total_spans_per_second: 100,"
                + " composite_sub_policy: [{name: a, type: always_sample}], %s}}]";
        assertThatThrownBy(() -> parse(String.format(composite, "policy_order: [b]")))
                .hasMessageContaining("'policy_order' names 'b'");
        assertThatThrownBy(() -> parse(String.format(composite, "rate_allocation: [{policy: a, percent: 120}]")))
                .hasMessageContaining("from 0 to 100");
    }

    @Test
    void saysWhenTheFileCannotBeRead() {
        assertThatThrownBy(() -> PolicyFile.load(Path.of("no-such-file.yaml")))
                .hasMessageContaining("no-such-file.yaml")
                .hasMessageContaining("cannot read");
        assertThatThrownBy(() -> parse("policies: [unclosed")).hasMessageContaining("policies.yaml: not valid YAML");
    }

    @Test
    void aRepresentativePolicyFollowsPublishedRatesForItsRootService() {
        PolicyFile file = parse(
                "policies:\n  - {name: sample, type: representative, representative: {sampling_percentage: 10}}\n");
        SamplingRates[] rates = {SamplingRates.none()};
        file.policies.open(new PolicyContext(1, () -> 0L, () -> rates[0]));
        var trace = of(traceIdWithRandomness(1L << 55), List.of(span("shop", "GET /", 5)));
        trace.summary().rootService = "shop";
        assertThat(file.policies.evaluate(trace).keeps()).as("configured 10 %").isFalse();

        rates[0] = SamplingRates.of(List.of(new SamplingRate("shop", 0.6, 1, "steady", "controller", 0, 0)));
        assertThat(file.policies.evaluate(trace).probability()).isEqualTo(0.6);
        assertThatThrownBy(() -> parse(
                        "policies:\n  - {name: s, type: representative, representative: {sampling_percentage: 120}}\n"))
                .hasMessageContaining("'sampling_percentage' must be from 0 to 100");
    }
}

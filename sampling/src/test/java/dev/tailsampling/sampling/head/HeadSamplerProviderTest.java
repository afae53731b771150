package dev.tailsampling.sampling.head;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The head sampler loaded by name through the SDK's own autoconfiguration, as the Java agent would. */
class HeadSamplerProviderTest {
    private final InMemorySpanExporter exported = InMemorySpanExporter.create();

    private OpenTelemetrySdk autoconfigure(Map<String, String> sampler) {
        Map<String, String> properties = new HashMap<>(sampler);
        properties.put("otel.traces.exporter", "none");
        properties.put("otel.metrics.exporter", "none");
        properties.put("otel.logs.exporter", "none");
        return AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> properties)
                .addTracerProviderCustomizer(
                        (tracing, config) -> tracing.addSpanProcessor(SimpleSpanProcessor.create(exported)))
                .build()
                .getOpenTelemetrySdk();
    }

    @Test
    void theSdkLoadsTheRulesFileNamedInItsSamplerArgument() {
        try (OpenTelemetrySdk sdk = autoconfigure(Map.of(
                "otel.traces.sampler",
                HeadSamplerProvider.NAME,
                "otel.traces.sampler.arg",
                "../examples/hybrid-sampling.yaml"))) {
            Tracer tracer = sdk.getTracer("test");
            Span admin = tracer.spanBuilder("GET /api/admin/users")
                    .setSpanKind(SpanKind.SERVER)
                    .setAttribute("url.path", "/api/admin/users")
                    .startSpan();
            assertThat(admin.getSpanContext().isSampled())
                    .as("an always-sample rule of the file")
                    .isTrue();
            assertThat(admin.getSpanContext().getTraceState().get("ot")).isEqualTo("th:0");
            admin.end();

            int sampled = 0;
            for (int i = 0; i < 2_000; i++) {
                Span other = tracer.spanBuilder("GET /search")
                        .setAttribute("url.path", "/search")
                        .startSpan();
                if (other.getSpanContext().isSampled()) {
                    sampled++;
                    assertThat(other.getSpanContext().getTraceState().get("ot")).isEqualTo("th:e6666666666666");
                }
                other.end();
            }
            // The file's 10 % base rate; 4 standard errors either side.
            assertThat(sampled).isBetween(200 - 54, 200 + 54);
            assertThat(exported.getFinishedSpanItems()).hasSize(1 + sampled);
        }
    }

    @Test
    void withoutARulesFileTheSdkStopsNamingTheProperty() {
        assertThatThrownBy(() -> autoconfigure(Map.of("otel.traces.sampler", HeadSamplerProvider.NAME)))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("otel.traces.sampler.arg");
    }

    @Test
    void aBadRulesFileStopsTheSdkWithTheFilesMessage() {
        assertThatThrownBy(() -> autoconfigure(Map.of(
                        "otel.traces.sampler",
                        HeadSamplerProvider.NAME,
                        "otel.traces.sampler.arg",
                        "no-such-rules.yaml")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("no-such-rules.yaml: cannot read");
    }
}

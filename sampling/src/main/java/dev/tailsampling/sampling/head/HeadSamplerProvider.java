package dev.tailsampling.sampling.head;

import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException;
import io.opentelemetry.sdk.autoconfigure.spi.traces.ConfigurableSamplerProvider;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.nio.file.Path;

/**
 * Lets OpenTelemetry's SDK autoconfiguration install the head sampler without code:
 * {@code otel.traces.sampler=head_rules} with {@code otel.traces.sampler.arg} naming the rules file
 * (or {@code OTEL_TRACES_SAMPLER} and {@code OTEL_TRACES_SAMPLER_ARG}).
 */
public final class HeadSamplerProvider implements ConfigurableSamplerProvider {
    public static final String NAME = "head_rules";
    static final String RULES_FILE = "otel.traces.sampler.arg";

    @Override
    public Sampler createSampler(ConfigProperties config) {
        String rules = config.getString(RULES_FILE, "");
        if (rules.isBlank()) {
            throw new ConfigurationException("otel.traces.sampler=" + NAME + " needs " + RULES_FILE
                    + ": the path of a rules file with a head_sampling block");
        }
        try {
            return HeadSampler.fromFile(Path.of(rules));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(e.getMessage(), e);
        }
    }

    @Override
    public String getName() {
        return NAME;
    }
}

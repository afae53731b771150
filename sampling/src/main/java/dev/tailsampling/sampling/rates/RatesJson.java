package dev.tailsampling.sampling.rates;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The JSON form of the {@code sampling_rates} and {@code sampling_stats} records: snake_case
 * fields, unknown fields ignored so that newer writers do not break older readers. A record that
 * does not parse or fails its checks throws {@link IllegalArgumentException} with the reason.
 */
public final class RatesJson {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            // The records' public fields are the format; their helper methods are not.
            .setVisibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
            .setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.PUBLIC_ONLY)
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private RatesJson() {}

    public static byte[] write(Object record) {
        try {
            return MAPPER.writeValueAsBytes(record);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static SamplingRate readRate(byte[] json) {
        return read(json, SamplingRate.class).validate();
    }

    public static ServiceStats readStats(byte[] json) {
        return read(json, ServiceStats.class).validate();
    }

    private static <T> T read(byte[] json, Class<T> type) {
        if (json == null) {
            throw new IllegalArgumentException("the record has no value");
        }
        try {
            T value = MAPPER.readValue(json, type);
            if (value == null) {
                throw new IllegalArgumentException("the record is JSON null");
            }
            return value;
        } catch (IOException e) {
            throw new IllegalArgumentException("not a JSON " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }
}

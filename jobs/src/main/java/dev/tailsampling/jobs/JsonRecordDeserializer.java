package dev.tailsampling.jobs;

import dev.tailsampling.operators.SamplingTypes;
import dev.tailsampling.sampling.rates.RatesJson;
import dev.tailsampling.sampling.rates.SamplingRate;
import dev.tailsampling.sampling.rates.ServiceStats;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the JSON records of the rates and stats topics. A record that does not parse is logged
 * with its reason and skipped: a bad rate must not stop sampling, which goes on at the rates it
 * had, nor a bad statistic the controller.
 */
public class JsonRecordDeserializer<T> implements KafkaRecordDeserializationSchema<T> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(JsonRecordDeserializer.class);

    private final SerializableFunction<byte[], T> parse;
    /** What a tombstone (null value) stands for, from its key; null to skip tombstones. */
    private final SerializableFunction<String, T> tombstone;

    private final TypeInformation<T> type;

    private JsonRecordDeserializer(
            SerializableFunction<byte[], T> parse, SerializableFunction<String, T> tombstone, TypeInformation<T> type) {
        this.parse = parse;
        this.tombstone = tombstone;
        this.type = type;
    }

    /** Rates; a tombstone removes its key's rate. */
    public static JsonRecordDeserializer<SamplingRate> rates() {
        return new JsonRecordDeserializer<>(RatesJson::readRate, SamplingRate::removal, SamplingTypes.SAMPLING_RATE);
    }

    public static JsonRecordDeserializer<ServiceStats> stats() {
        return new JsonRecordDeserializer<>(RatesJson::readStats, null, SamplingTypes.SERVICE_STATS);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<T> out) {
        if (record.value() == null) {
            if (tombstone != null && record.key() != null) {
                out.collect(tombstone.apply(new String(record.key(), StandardCharsets.UTF_8)));
            }
            return;
        }
        T value;
        try {
            value = parse.apply(record.value());
        } catch (IllegalArgumentException e) {
            LOG.warn(
                    "Skipping record {}-{}@{}: {}",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    e.getMessage());
            return;
        }
        out.collect(value);
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return type;
    }
}

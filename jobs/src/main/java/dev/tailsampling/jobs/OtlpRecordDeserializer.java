package dev.tailsampling.jobs;

import dev.tailsampling.operators.OtlpRecord;
import dev.tailsampling.operators.SamplingTypes;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Passes each Kafka record's value on as bytes with where it was read; decoding happens in the
 * job, where it can fail softly and name the record it refuses.
 */
public class OtlpRecordDeserializer implements KafkaRecordDeserializationSchema<OtlpRecord> {
    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<OtlpRecord> out) {
        // A tombstone (null value) carries no spans: there is nothing to decode or to keep.
        if (record.value() != null) {
            out.collect(new OtlpRecord(record.value(), record.topic(), record.partition(), record.offset()));
        }
    }

    @Override
    public TypeInformation<OtlpRecord> getProducedType() {
        return SamplingTypes.OTLP_RECORD;
    }
}

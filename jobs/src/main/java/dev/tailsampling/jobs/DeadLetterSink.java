package dev.tailsampling.jobs;

import dev.tailsampling.operators.DeadLetter;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends dead letters to their topic, at least once: every checkpoint waits until what was sent
 * before it is acknowledged or has failed. A failed send never fails the job (a dead letter is
 * evidence, not data, and failing on it would replay the record that caused it forever): it is
 * counted in {@code deadLettersFailed} and logged at most once a minute. {@code deadLettersSent}
 * counts what was handed to the producer, {@code deadLettersTruncated} what went as a pointer.
 */
public class DeadLetterSink implements Sink<DeadLetter> {
    private static final long serialVersionUID = 1L;

    private final Properties producerConfig;
    private final String topic;
    private final int maxBytes;

    public DeadLetterSink(Properties producerConfig, String topic, int maxBytes) {
        this.producerConfig = producerConfig;
        this.topic = topic;
        this.maxBytes = maxBytes;
    }

    @Override
    public SinkWriter<DeadLetter> createWriter(WriterInitContext context) {
        return new Writer(producerConfig, new DeadLetterSerializer(topic, maxBytes), context.metricGroup());
    }

    /** One producer per subtask. */
    static final class Writer implements SinkWriter<DeadLetter> {
        private static final Logger LOG = LoggerFactory.getLogger(DeadLetterSink.class);
        private static final long LOG_EVERY_MILLIS = 60_000;

        private final KafkaProducer<byte[], byte[]> producer;
        private final DeadLetterSerializer serializer;
        private final Counter sent;
        private final Counter failed;
        private final Counter truncated;
        private final AtomicLong lastLoggedMillis = new AtomicLong();

        Writer(Properties producerConfig, DeadLetterSerializer serializer, MetricGroup metrics) {
            this.producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer());
            this.serializer = serializer;
            this.sent = metrics.counter("deadLettersSent");
            // Sends complete on the producer's own thread.
            this.failed = metrics.counter("deadLettersFailed", new ThreadSafeSimpleCounter());
            this.truncated = metrics.counter("deadLettersTruncated");
        }

        @Override
        public void write(DeadLetter deadLetter, Context context) {
            ProducerRecord<byte[], byte[]> record = serializer.serialize(deadLetter);
            if (DeadLetterSerializer.isTruncated(record)) {
                truncated.inc();
            }
            sent.inc();
            try {
                producer.send(record, (metadata, e) -> {
                    if (e != null) {
                        failed(deadLetter, e);
                    }
                });
            } catch (RuntimeException e) {
                failed(deadLetter, e);
            }
        }

        private void failed(DeadLetter deadLetter, Exception e) {
            failed.inc();
            long now = System.currentTimeMillis();
            long last = lastLoggedMillis.get();
            if (now - last >= LOG_EVERY_MILLIS && lastLoggedMillis.compareAndSet(last, now)) {
                LOG.warn(
                        "Could not send a dead letter ({} from {}-{} at offset {}): {}; the job goes on, the metric"
                                + " deadLettersFailed counts these (logged at most once a minute)",
                        deadLetter.reason,
                        deadLetter.sourceTopic,
                        deadLetter.sourcePartition,
                        deadLetter.sourceOffset,
                        e.toString());
            }
        }

        @Override
        public void flush(boolean endOfInput) {
            producer.flush();
        }

        @Override
        public void close() {
            producer.close(Duration.ofSeconds(10));
        }
    }
}

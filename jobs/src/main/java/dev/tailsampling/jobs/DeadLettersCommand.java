package dev.tailsampling.jobs;

import static dev.tailsampling.jobs.DeadLetterSerializer.DETAIL_HEADER;
import static dev.tailsampling.jobs.DeadLetterSerializer.REASON_HEADER;
import static dev.tailsampling.jobs.DeadLetterSerializer.SOURCE_OFFSET_HEADER;
import static dev.tailsampling.jobs.DeadLetterSerializer.SOURCE_PARTITION_HEADER;
import static dev.tailsampling.jobs.DeadLetterSerializer.SOURCE_TOPIC_HEADER;
import static dev.tailsampling.jobs.DeadLetterSerializer.TRUNCATED_HEADER;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code dead-letters show} counts the dead letters per reason, with the latest of each; {@code
 * dead-letters replay REASON} copies the dead letters of one reason back to the spans topic, byte
 * for byte, after the cause is fixed (a limit raised, a producer mended). A dead letter sent as a
 * pointer is replayed from its source record. Each reason's progress is kept in a consumer group of
 * its own, so a second replay copies only what came since.
 */
final class DeadLettersCommand {
    static final String USAGE =
            "usage: dead-letters show [--kafka.bootstrap-servers B] [--kafka.topic.dead-letters T]\n"
                    + "       dead-letters replay REASON [--kafka.bootstrap-servers B] [--kafka.topic.dead-letters T]"
                    + " [--kafka.topic.spans T] [--kafka.group-id G]";

    static final Command COMMAND = new Command(
            "dead-letters",
            "count the refused records per reason, or replay one reason's to the spans topic",
            USAGE,
            DeadLettersCommand::run);

    private static final Duration TIMEOUT = KafkaCommandOptions.TIMEOUT;

    private DeadLettersCommand() {}

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        try {
            if (args.length >= 1 && args[0].equals("show")) {
                KafkaCommandOptions options = options(Arrays.copyOfRange(args, 1, args.length));
                show(options, out);
                return 0;
            }
            if (args.length >= 2 && args[0].equals("replay") && !args[1].startsWith("--")) {
                KafkaCommandOptions options = options(Arrays.copyOfRange(args, 2, args.length));
                replay(options, args[1], out);
                return 0;
            }
            err.println(USAGE);
            return 2;
        } catch (IllegalArgumentException e) {
            err.println("dead-letters: " + e.getMessage());
            err.println(USAGE);
            return 2;
        } catch (org.apache.kafka.common.errors.TimeoutException | java.util.concurrent.TimeoutException e) {
            err.println("dead-letters: no answer from Kafka at " + KafkaCommandOptions.bootstrapServers(args)
                    + " within " + TIMEOUT.toSeconds() + " s; is --kafka.bootstrap-servers right and the broker up?");
            return 1;
        }
    }

    private static KafkaCommandOptions options(String[] args) {
        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("kafka.topic.dead-letters", "otlp_spans_dlq");
        defaults.put("kafka.topic.spans", "otlp_spans");
        defaults.put("kafka.group-id", "tail-sampling");
        return KafkaCommandOptions.parse(args, defaults);
    }

    /** What a dead letter says of itself. */
    private record Letter(ConsumerRecord<byte[], byte[]> record) {
        String header(String name) {
            Header header = record.headers().lastHeader(name);
            return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
        }

        String reason() {
            return header(REASON_HEADER);
        }

        boolean pointer() {
            return !header(TRUNCATED_HEADER).isEmpty();
        }

        String source() {
            return header(SOURCE_TOPIC_HEADER) + "/" + header(SOURCE_PARTITION_HEADER) + "@"
                    + header(SOURCE_OFFSET_HEADER);
        }
    }

    private static void show(KafkaCommandOptions options, PrintStream out) {
        Map<String, Integer> counts = new TreeMap<>();
        Map<String, Letter> latest = new HashMap<>();
        String topic = options.get("kafka.topic.dead-letters");
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(options.kafka(), null)) {
            List<TopicPartition> partitions = partitions(consumer, topic);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            TopicReads.toEnd(consumer, partitions, consumer.endOffsets(partitions), record -> {
                Letter letter = new Letter(record);
                counts.merge(letter.reason(), 1, Integer::sum);
                latest.put(letter.reason(), letter);
            });
        }
        if (counts.isEmpty()) {
            out.println("no dead letters in " + topic);
            return;
        }
        out.printf("%-24s %8s  %-24s %-28s %s%n", "reason", "records", "latest", "source", "detail");
        counts.forEach((reason, count) -> {
            Letter letter = latest.get(reason);
            out.printf(
                    "%-24s %8d  %-24s %-28s %s%n",
                    reason,
                    count,
                    Instant.ofEpochMilli(letter.record.timestamp()),
                    letter.source(),
                    letter.header(DETAIL_HEADER));
        });
    }

    private static void replay(KafkaCommandOptions options, String reason, PrintStream out) throws Exception {
        String topic = options.get("kafka.topic.dead-letters");
        String spans = options.get("kafka.topic.spans");
        String group = options.get("kafka.group-id") + "-replay-" + reason;
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        int[] skipped = {0};
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(options.kafka(), group);
                KafkaConsumer<byte[], byte[]> sources = consumer(options.kafka(), null);
                KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                        producerProperties(options.kafka()), new ByteArraySerializer(), new ByteArraySerializer())) {
            List<TopicPartition> partitions = partitions(consumer, topic);
            consumer.assign(partitions);
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(partitions));
            for (TopicPartition partition : partitions) {
                OffsetAndMetadata at = committed.get(partition);
                if (at == null) {
                    consumer.seekToBeginning(List.of(partition));
                } else {
                    consumer.seek(partition, at.offset());
                }
            }
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            TopicReads.toEnd(consumer, partitions, end, record -> {
                Letter letter = new Letter(record);
                if (!letter.reason().equals(reason)) {
                    return;
                }
                byte[] value = letter.pointer() ? source(sources, letter) : letter.record.value();
                if (value == null) {
                    skipped[0]++;
                    out.println("not replayed, its source record is gone: " + letter.source());
                    return;
                }
                sent.add(producer.send(new ProducerRecord<>(spans, letter.record.key(), value)));
            });
            producer.flush();
            for (Future<RecordMetadata> send : sent) {
                send.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
            // Only once every copy is acknowledged: a replay that fails midway copies again next time.
            Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
            end.forEach((partition, offset) -> done.put(partition, new OffsetAndMetadata(offset)));
            consumer.commitSync(done, TIMEOUT);
        }
        out.println("replayed " + sent.size() + " dead letters of reason " + reason + " to " + spans
                + (skipped[0] > 0 ? "; " + skipped[0] + " not replayed" : "") + " (progress in consumer group " + group
                + ")");
    }

    /** The source record a pointer names, or null when the topic no longer has it. */
    private static byte[] source(KafkaConsumer<byte[], byte[]> sources, Letter letter) {
        TopicPartition partition = new TopicPartition(
                letter.header(SOURCE_TOPIC_HEADER), Integer.parseInt(letter.header(SOURCE_PARTITION_HEADER)));
        long offset = Long.parseLong(letter.header(SOURCE_OFFSET_HEADER));
        sources.assign(List.of(partition));
        sources.seek(partition, offset);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> record : sources.poll(Duration.ofMillis(500))) {
                return record.offset() == offset ? record.value() : null;
            }
        }
        return null;
    }

    /** The topic's partitions, or a bad argument naming it when the brokers have no such topic. */
    private static List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        List<TopicPartition> partitions = TopicReads.partitions(consumer, topic);
        if (partitions.isEmpty()) {
            throw new IllegalArgumentException("no topic " + topic + " at the brokers");
        }
        return partitions;
    }

    private static KafkaConsumer<byte[], byte[]> consumer(Properties kafka, String group) {
        Properties props = new Properties();
        props.putAll(kafka);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        if (group != null) {
            props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static Properties producerProperties(Properties kafka) {
        Properties props = new Properties();
        props.putAll(kafka);
        props.put("acks", "all");
        props.put("enable.idempotence", "true");
        // A record refused as too large goes back whole; the topic's max.message.bytes still rules.
        props.put("max.request.size", Integer.toString(64 << 20));
        return props;
    }
}

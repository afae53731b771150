package dev.tailsampling.jobs;

import dev.tailsampling.sampling.rates.PolicyKeeps;
import dev.tailsampling.sampling.rates.RatesJson;
import dev.tailsampling.sampling.rates.ServiceStats;
import java.io.PrintStream;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * {@code shadow report --from TIME --to TIME}: what the live policy file kept and what the shadow
 * file ({@code --sampling.shadow-policies}) would have kept, per policy, over a window, summed from
 * the {@code sampling_stats} records written in it. Exit status 2 on bad arguments.
 */
final class ShadowCommand {
    static final String USAGE = "usage: shadow report --from TIME --to TIME [--kafka.bootstrap-servers B]"
            + " [--kafka.topic.stats T]\n"
            + "  TIME: an ISO-8601 instant such as 2026-12-03T10:00:00Z";

    static final Command COMMAND = new Command(
            "shadow",
            "compare, per policy, what the live and the shadow policy files keep over a window",
            USAGE,
            ShadowCommand::run);

    private ShadowCommand() {}

    static int run(String[] args, PrintStream out, PrintStream err) {
        Instant from;
        Instant to;
        KafkaCommandOptions options;
        try {
            if (args.length < 1 || !args[0].equals("report")) {
                throw new IllegalArgumentException("the command is 'shadow report'");
            }
            options = KafkaCommandOptions.parse(
                    Arrays.copyOfRange(args, 1, args.length),
                    Map.of("from", "", "to", "", "kafka.topic.stats", "sampling_stats"));
            TimeWindow window = TimeWindow.parse(options.get("from"), options.get("to"));
            from = window.from();
            to = window.to();
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage() + "\n" + USAGE);
            return 2;
        }
        Map<String, PolicyKeeps> live = new TreeMap<>();
        Map<String, PolicyKeeps> shadow = new TreeMap<>();
        long[] read = new long[2];
        readWindow(options, from, to, stats -> {
            read[0]++;
            read[1] += stats.tracesSeen;
            stats.keptByPolicy.forEach((policy, keeps) -> live.merge(policy, keeps, PolicyKeeps::plus));
            stats.shadowKeptByPolicy.forEach((policy, keeps) -> shadow.merge(policy, keeps, PolicyKeeps::plus));
        });
        out.printf("%s to %s: %,d statistics records, %,d traces decided%n", from, to, read[0], read[1]);
        out.printf("%-9s %-24s %14s %14s %16s%n", "file", "policy", "traces", "spans", "bytes");
        print("live", live, out);
        print("shadow", shadow, out);
        if (shadow.isEmpty()) {
            out.println("(no shadow keeps in the window: is the job running with --sampling.shadow-policies?)");
        }
        return 0;
    }

    private static void print(String file, Map<String, PolicyKeeps> byPolicy, PrintStream out) {
        PolicyKeeps total = new PolicyKeeps();
        for (Map.Entry<String, PolicyKeeps> e : byPolicy.entrySet()) {
            PolicyKeeps keeps = e.getValue();
            total = total.plus(keeps);
            out.printf("%-9s %-24s %,14d %,14d %,16d%n", file, e.getKey(), keeps.traces, keeps.spans, keeps.bytes);
        }
        out.printf("%-9s %-24s %,14d %,14d %,16d%n", file, "(all)", total.traces, total.spans, total.bytes);
    }

    /** Each statistics record Kafka received between the two times, by the offsets of those times. */
    private static void readWindow(KafkaCommandOptions options, Instant from, Instant to, Consumer<ServiceStats> each) {
        String topic = options.get("kafka.topic.stats");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(options.kafka(), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = TopicReads.partitions(consumer, topic);
            if (partitions.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist; name it with --kafka.topic.stats");
            }
            consumer.assign(partitions);
            Map<TopicPartition, Long> start = offsetsAt(consumer, partitions, from);
            Map<TopicPartition, Long> end = offsetsAt(consumer, partitions, to);
            start.forEach(consumer::seek);
            TopicReads.toEnd(consumer, partitions, end, record -> {
                try {
                    each.accept(RatesJson.readStats(record.value()));
                } catch (IllegalArgumentException e) {
                    // Not a statistics record: the controller skips it too.
                }
            });
        }
    }

    /** Per partition, the first offset at or after {@code at}, or the end when none is. */
    private static Map<TopicPartition, Long> offsetsAt(
            KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions, Instant at) {
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(p -> query.put(p, at.toEpochMilli()));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query, KafkaCommandOptions.TIMEOUT);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, KafkaCommandOptions.TIMEOUT);
        Map<TopicPartition, Long> offsets = new HashMap<>();
        for (TopicPartition partition : partitions) {
            OffsetAndTimestamp offset = found.get(partition);
            offsets.put(partition, offset == null ? ends.get(partition) : offset.offset());
        }
        return offsets;
    }
}

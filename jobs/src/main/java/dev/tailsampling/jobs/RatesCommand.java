package dev.tailsampling.jobs;

import dev.tailsampling.sampling.rates.RatesJson;
import dev.tailsampling.sampling.rates.SamplingRate;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code rates show} prints the rates in force, read from the rates topic; {@code rates set SERVICE
 * RATE [--ttl DURATION]} publishes a manual override there, which the sampler applies at once and
 * the controller keeps until it expires. Exit status 2 on bad arguments.
 */
public final class RatesCommand {
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|min|h|d)");

    static final String USAGE = "usage: rates show [--kafka.bootstrap-servers B] [--kafka.topic.rates T]\n"
            + "       rates set SERVICE RATE [--ttl DURATION] [--kafka.bootstrap-servers B] [--kafka.topic.rates T]";

    static final Command COMMAND = new Command(
            "rates",
            "show the sampling rates in force, or override one for a while",
            RatesCommand.USAGE,
            RatesCommand::run);

    private static final Duration TIMEOUT = KafkaCommandOptions.TIMEOUT;

    private RatesCommand() {}

    public static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        try {
            if (args.length >= 1 && args[0].equals("show")) {
                Options options = options(Arrays.copyOfRange(args, 1, args.length), false);
                show(options, out);
                return 0;
            }
            if (args.length >= 3 && args[0].equals("set")) {
                Options options = options(Arrays.copyOfRange(args, 3, args.length), true);
                SamplingRate override = override(args[1], args[2], options.ttlMillis);
                publish(options, override);
                out.println("published " + describe(override, System.currentTimeMillis()));
                return 0;
            }
            err.println(USAGE);
            return 2;
        } catch (IllegalArgumentException e) {
            err.println("rates: " + e.getMessage());
            err.println(USAGE);
            return 2;
        } catch (org.apache.kafka.common.errors.TimeoutException | java.util.concurrent.TimeoutException e) {
            err.println("rates: no answer from Kafka at " + KafkaCommandOptions.bootstrapServers(args) + " within "
                    + TIMEOUT.toSeconds() + " s; is --kafka.bootstrap-servers right and the broker up?");
            return 1;
        } catch (java.util.concurrent.ExecutionException e) {
            err.println("rates: Kafka at " + KafkaCommandOptions.bootstrapServers(args) + " refused the override: "
                    + Cli.oneLine(e.getCause()));
            return 1;
        }
    }

    /** What the options say: Kafka client properties, the rates topic and an override's time to live (0 for none). */
    private record Options(Properties kafka, String topic, long ttlMillis) {}

    private static Options options(String[] args, boolean ttlAllowed) {
        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("kafka.topic.rates", "sampling_rates");
        if (ttlAllowed) {
            defaults.put("ttl", "");
        }
        KafkaCommandOptions options = KafkaCommandOptions.parse(args, defaults);
        String ttl = options.get("ttl");
        return new Options(
                options.kafka(),
                options.get("kafka.topic.rates"),
                ttl == null || ttl.isEmpty() ? 0 : durationMillis(ttl));
    }

    /** A positive duration such as 500ms, 30s, 15min, 2h or 1d. */
    static long durationMillis(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new IllegalArgumentException(
                    "--ttl: '" + text + "' is not a positive duration such as 30min, 2h or 1d");
        }
        long amount = Long.parseLong(m.group(1));
        switch (m.group(2)) {
            case "ms":
                return amount;
            case "s":
                return Duration.ofSeconds(amount).toMillis();
            case "min":
                return Duration.ofMinutes(amount).toMillis();
            case "h":
                return Duration.ofHours(amount).toMillis();
            default:
                return Duration.ofDays(amount).toMillis();
        }
    }

    static SamplingRate override(String service, String rateText, long ttlMillis) {
        double rate;
        try {
            rate = Double.parseDouble(rateText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("RATE must be a number from 0 to 1, was '" + rateText + "'");
        }
        long now = System.currentTimeMillis();
        long expires = ttlMillis == 0 ? 0 : now + ttlMillis;
        SamplingRate override =
                new SamplingRate(service, rate, 1.0, "override", SamplingRate.SOURCE_MANUAL, expires, now);
        return override.validate();
    }

    private static void publish(Options options, SamplingRate override)
            throws InterruptedException, java.util.concurrent.ExecutionException,
                    java.util.concurrent.TimeoutException {
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(options.kafka, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(
                            options.topic,
                            override.service.getBytes(StandardCharsets.UTF_8),
                            RatesJson.write(override)))
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Reads the rates topic from its start to its current end; the latest record per service wins. */
    public static Map<String, SamplingRate> current(Properties kafka, String topic) {
        Map<String, SamplingRate> latest = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(kafka, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = TopicReads.partitions(consumer, topic);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            TopicReads.toEnd(consumer, partitions, consumer.endOffsets(partitions), record -> {
                if (record.value() == null) {
                    // A tombstone removes its service's rate, in the jobs too.
                    if (record.key() != null) {
                        latest.remove(new String(record.key(), StandardCharsets.UTF_8));
                    }
                    return;
                }
                try {
                    SamplingRate rate = RatesJson.readRate(record.value());
                    latest.put(rate.service, rate);
                } catch (IllegalArgumentException e) {
                    // Skipped by the jobs too; show prints what they apply.
                }
            });
        }
        return latest;
    }

    private static void show(Options options, PrintStream out) {
        Map<String, SamplingRate> latest = current(options.kafka, options.topic);
        if (latest.isEmpty()) {
            out.println("no rates published yet: the sampler uses its configured representative rate");
            return;
        }
        long now = System.currentTimeMillis();
        out.printf("%-24s %10s %10s  %-16s %-10s %s%n", "service", "rate", "presample", "reason", "source", "updated");
        for (SamplingRate rate : latest.values()) {
            out.println(describe(rate, now));
        }
    }

    private static String describe(SamplingRate rate, long now) {
        String expiry = rate.expiresAtMillis == 0
                ? ""
                : rate.inForceAt(now)
                        ? "  until " + Instant.ofEpochMilli(rate.expiresAtMillis)
                        : "  expired " + Instant.ofEpochMilli(rate.expiresAtMillis);
        return String.format(
                "%-24s %10.6f %10s  %-16s %-10s %s%s",
                rate.service,
                rate.rate,
                rate.isDefault() ? String.format("%.4f", rate.presampleRate) : "",
                rate.reason,
                rate.source,
                Instant.ofEpochMilli(rate.updatedAtMillis),
                expiry);
    }
}

package dev.tailsampling.jobs;

import dev.tailsampling.iceberg.IcebergCatalogConf;
import dev.tailsampling.iceberg.IcebergOptions;
import dev.tailsampling.iceberg.WarehouseSql;
import dev.tailsampling.operators.OtlpRecord;
import dev.tailsampling.operators.TailSamplerFunction;
import dev.tailsampling.sampling.rates.SamplingRate;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.apache.iceberg.exceptions.NoSuchNamespaceException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * {@code replay --policies FILE --from TIME --to TIME [--into NAMESPACE] [--price-per-gb PRICE]
 * [JOB PARAMETERS]}: what a policy file would have kept of a window of the retained spans topic.
 * It reads the records Kafka received between the two times (a bounded source from the offsets of
 * those times, under a consumer group of its own that commits nothing) and runs the job's own graph
 * on them in Flink's batch mode, in this process, so that every trace is decided on all its spans in
 * the window. Pre-sampling and the representative sample use the rates in force now; the budget
 * guard is off, since the replay runs faster than the traffic did.
 *
 * <p>It prints, per policy, the traces and spans the file would keep against the traces and spans
 * the live job kept from that window ({@code spans} of the live namespace, by span start time); the
 * bytes they would take, at the window's OTLP bytes per span, and what a day of them would cost at
 * {@code --price-per-gb}. With {@code --into NAMESPACE} it also writes
 * the job's tables to that namespace (never the live one) for analysts to query.
 */
final class ReplayCommand {
    static final String USAGE = "usage: replay --policies FILE --from TIME --to TIME [--into NAMESPACE]"
            + " [--price-per-gb PRICE] [JOB PARAMETERS]\n"
            + "  TIME: an ISO-8601 instant such as 2026-12-03T10:00:00Z; PRICE: the cost of a kept GB\n"
            + "  JOB PARAMETERS: as for the sampling job, such as --kafka.bootstrap-servers, --iceberg.*";

    static final Command COMMAND = new Command(
            "replay",
            "run a policy file over a window of the spans topic, against what the live job kept",
            USAGE,
            ReplayCommand::run);

    private static final List<String> OWN = List.of("policies", "from", "to", "into", "price-per-gb");

    private ReplayCommand() {}

    /** What the file kept of one policy, and what the live job did. */
    record PolicyCounts(long traces, long spans, long liveTraces, long liveSpans) {}

    /** The replay's result: counts per policy, and the traces, spans and OTLP bytes decided. */
    record Result(Map<String, PolicyCounts> byPolicy, long tracesDecided, long spansDecided, long bytesDecided) {
        /** OTLP bytes the kept spans take, at the window's bytes per span: a span's own size is not kept. */
        double bytesPerSpan() {
            return spansDecided == 0 ? 0 : (double) bytesDecided / spansDecided;
        }
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Map<String, String> params;
        Instant from;
        Instant to;
        double price;
        try {
            params = new HashMap<>(JobParameters.parse(args));
            if (!params.containsKey("policies")) {
                throw new IllegalArgumentException("--policies is required");
            }
            TimeWindow window = TimeWindow.parse(params.get("from"), params.get("to"));
            from = window.from();
            to = window.to();
            price = price(params.getOrDefault("price-per-gb", "0"));
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage() + "\n" + USAGE);
            return 2;
        }
        String into = params.get("into");
        Map<String, String> jobParams = new HashMap<>(params);
        OWN.forEach(jobParams::remove);
        IcebergCatalogConf live;
        TailSamplingConf conf;
        try {
            live = JobParameters.catalog(jobParams);
            jobParams.put("sampling.policies", params.get("policies"));
            if (into != null) {
                if (into.equals(live.namespace())) {
                    throw new IllegalArgumentException(
                            "--into " + into + " is the live namespace; give a scratch namespace");
                }
                jobParams.put(IcebergOptions.NAMESPACE.key(), into);
            }
            conf = TailSamplingConf.fromMap(jobParams);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
        for (String topic : List.of(conf.spansTopic, conf.ratesTopic)) {
            if (!topicExists(conf, topic)) {
                err.println("error: topic " + topic + " does not exist at " + conf.bootstrapServers
                        + "; name the job's topics with --kafka.topic.spans and --kafka.topic.rates");
                return 2;
            }
        }
        err.printf("replaying %s from %s to %s with %s%n", conf.spansTopic, from, to, params.get("policies"));
        Result result = replay(conf, from, to, into != null, live);
        print(result, from, to, price, into, out);
        return 0;
    }

    private static boolean topicExists(TailSamplingConf conf, String topic) {
        Properties kafka = conf.kafkaClientProperties();
        kafka.put("allow.auto.create.topics", "false");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(kafka, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            return !TopicReads.partitions(consumer, topic).isEmpty();
        }
    }

    private static double price(String text) {
        try {
            double price = Double.parseDouble(text);
            if (price >= 0 && !Double.isInfinite(price)) {
                return price;
            }
        } catch (NumberFormatException e) {
            // Said below.
        }
        throw new IllegalArgumentException("--price-per-gb: '" + text + "' is not a price, 0 or more");
    }

    /** Runs the job's graph on the window and reads the live job's counts for it. */
    static Result replay(TailSamplingConf conf, Instant from, Instant to, boolean writeTables, IcebergCatalogConf live)
            throws Exception {
        TailSamplingJob job = new TailSamplingJob(conf, connectors(conf, from, to));
        Configuration flink = new Configuration();
        flink.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.BATCH);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        TailSamplingJob.Outputs outputs = writeTables ? job.build(env) : job.outputs(env);

        // Per policy, the kept traces and their spans, from each kept trace's summary.
        DataStream<Tuple3<String, Long, Long>> byPolicy = outputs.kept()
                .getSideOutput(TailSamplerFunction.SUMMARIES)
                .map(trace -> Tuple3.of(trace.samplingPolicy, 1L, (long) trace.spanCount))
                .returns(Types.TUPLE(Types.STRING, Types.LONG, Types.LONG))
                .uid("replay-by-policy")
                .keyBy(counts -> counts.f0, Types.STRING)
                .reduce((a, b) -> Tuple3.of(a.f0, a.f1 + b.f1, a.f2 + b.f2))
                .uid("replay-by-policy-sum");
        // Traces, spans and OTLP bytes that reached the sampler, from its input.
        DataStream<Tuple3<Long, Long, Long>> totals = outputs.sampled()
                .map(fragment -> Tuple3.of(fragment.traceId, (long) fragment.spanCount, (long) fragment.payload.length))
                .returns(Types.TUPLE(Types.STRING, Types.LONG, Types.LONG))
                .uid("replay-fragments")
                .keyBy(fragment -> fragment.f0, Types.STRING)
                .reduce((a, b) -> Tuple3.of(a.f0, a.f1 + b.f1, a.f2 + b.f2))
                .uid("replay-traces")
                .map(trace -> Tuple3.of(1L, trace.f1, trace.f2))
                .returns(Types.TUPLE(Types.LONG, Types.LONG, Types.LONG))
                .uid("replay-trace-counts")
                .keyBy(counts -> 0, Types.INT)
                .reduce((a, b) -> Tuple3.of(a.f0 + b.f0, a.f1 + b.f1, a.f2 + b.f2))
                .uid("replay-totals");
        Map<String, Tuple2<Long, Long>> kept = new TreeMap<>();
        Tuple3<Long, Long, Long> all = Tuple3.of(0L, 0L, 0L);
        try (CloseableIterator<Tuple3<String, Long, Long>> policies = byPolicy.collectAsync();
                CloseableIterator<Tuple3<Long, Long, Long>> sums = totals.collectAsync()) {
            env.execute("replay");
            policies.forEachRemaining(p -> kept.put(p.f0, Tuple2.of(p.f1, p.f2)));
            while (sums.hasNext()) {
                all = sums.next();
            }
        }
        Map<String, Tuple2<Long, Long>> liveKept = liveCounts(live, from, to);
        Map<String, PolicyCounts> byName = new TreeMap<>();
        TreeSet<String> names = new TreeSet<>(kept.keySet());
        names.addAll(liveKept.keySet());
        for (String policy : names) {
            Tuple2<Long, Long> replayed = kept.getOrDefault(policy, Tuple2.of(0L, 0L));
            Tuple2<Long, Long> lived = liveKept.getOrDefault(policy, Tuple2.of(0L, 0L));
            byName.put(policy, new PolicyCounts(replayed.f0, replayed.f1, lived.f0, lived.f1));
        }
        return new Result(byName, all.f0, all.f1, all.f2);
    }

    /**
     * The window's records, under a group of the replay's own that commits nothing, and the rates
     * in force now without the budget; dead letters and statistics go nowhere.
     */
    private static TailSamplingJob.Connectors connectors(TailSamplingConf conf, Instant from, Instant to) {
        String group = conf.groupId + "-replay-" + UUID.randomUUID();
        KafkaSource<OtlpRecord> spans = KafkaSource.<OtlpRecord>builder()
                .setProperties(conf.kafkaClientProperties())
                .setTopics(conf.spansTopic)
                .setGroupId(group)
                .setStartingOffsets(OffsetsInitializer.timestamp(from.toEpochMilli()))
                .setBounded(OffsetsInitializer.timestamp(to.toEpochMilli()))
                .setProperty("commit.offsets.on.checkpoint", "false")
                .setDeserializer(new OtlpRecordDeserializer())
                .build();
        KafkaSource<SamplingRate> rates = KafkaSource.<SamplingRate>builder()
                .setProperties(conf.kafkaClientProperties())
                .setTopics(conf.ratesTopic)
                .setGroupId(group + "-rates")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setBounded(OffsetsInitializer.latest())
                .setProperty("commit.offsets.on.checkpoint", "false")
                .setDeserializer(new WithoutBudget(JsonRecordDeserializer.rates()))
                .build();
        return new TailSamplingJob.Connectors(spans, rates, new DiscardingSink<>(), new DiscardingSink<>());
    }

    /** The rates as published, without the budget: the guard holds seconds the replay does not keep. */
    private record WithoutBudget(KafkaRecordDeserializationSchema<SamplingRate> rates)
            implements KafkaRecordDeserializationSchema<SamplingRate> {
        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<SamplingRate> out) throws IOException {
            rates.deserialize(record, new Collector<>() {
                @Override
                public void collect(SamplingRate rate) {
                    rate.budgetPerSecond = 0;
                    out.collect(rate);
                }

                @Override
                public void close() {}
            });
        }

        @Override
        public TypeInformation<SamplingRate> getProducedType() {
            return rates.getProducedType();
        }
    }

    /** Traces and spans per policy in the live {@code spans} table that started in the window; none without the table. */
    private static Map<String, Tuple2<Long, Long>> liveCounts(IcebergCatalogConf live, Instant from, Instant to)
            throws Exception {
        Map<String, Tuple2<Long, Long>> counts = new TreeMap<>();
        try {
            live.loadTable("spans");
        } catch (NoSuchTableException | NoSuchNamespaceException e) {
            return counts;
        }
        List<Row> rows = WarehouseSql.open(live)
                .query(String.format(
                        "SELECT sampling_policy, COUNT(DISTINCT trace_id), COUNT(*) FROM spans"
                                + " WHERE start_time >= TO_TIMESTAMP_LTZ(%d, 3) AND start_time < TO_TIMESTAMP_LTZ(%d, 3)"
                                + " GROUP BY sampling_policy",
                        from.toEpochMilli(), to.toEpochMilli()));
        for (Row row : rows) {
            counts.put(
                    String.valueOf(row.getField(0)),
                    Tuple2.of(((Number) row.getField(1)).longValue(), ((Number) row.getField(2)).longValue()));
        }
        return counts;
    }

    private static void print(Result result, Instant from, Instant to, double price, String into, PrintStream out) {
        double seconds = (to.toEpochMilli() - from.toEpochMilli()) / 1000.0;
        out.printf(
                "Replay of %s to %s (%.0f s): %,d traces and %,d spans decided (%,d OTLP bytes)%n",
                from, to, seconds, result.tracesDecided(), result.spansDecided(), result.bytesDecided());
        out.printf(
                "%-24s %14s %14s %14s %14s %14s%n",
                "policy", "replay traces", "replay spans", "est. bytes", "live traces", "live spans");
        long keptSpans = 0;
        for (Map.Entry<String, PolicyCounts> e : result.byPolicy().entrySet()) {
            PolicyCounts c = e.getValue();
            keptSpans += c.spans();
            out.printf(
                    "%-24s %,14d %,14d %,14.0f %,14d %,14d%n",
                    e.getKey(),
                    c.traces(),
                    c.spans(),
                    c.spans() * result.bytesPerSpan(),
                    c.liveTraces(),
                    c.liveSpans());
        }
        double bytesPerDay = keptSpans * result.bytesPerSpan() / seconds * 86_400;
        out.printf("kept %,d spans: about %,.0f OTLP bytes a day", keptSpans, bytesPerDay);
        if (price > 0) {
            out.printf(", %.2f a day at %s a GB", bytesPerDay / 1e9 * price, price);
        }
        out.println();
        if (into != null) {
            out.println("tables written to namespace " + into);
        }
    }
}

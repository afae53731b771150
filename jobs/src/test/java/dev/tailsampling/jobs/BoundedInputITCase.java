package dev.tailsampling.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailsampling.iceberg.WarehouseSql;
import dev.tailsampling.operators.DeadLetter;
import dev.tailsampling.operators.OtlpRecord;
import dev.tailsampling.operators.SamplingTypes;
import dev.tailsampling.operators.otlp.OtlpDecoder;
import dev.tailsampling.sampling.rates.SamplingRate;
import dev.tailsampling.sampling.rates.ServiceStats;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job's own graph on bounded input and collecting sinks, without a broker: the Kafka parts are
 * {@link TailSamplingJob.Connectors}, everything from decoding to the Iceberg tables is the job's.
 */
class BoundedInputITCase {
    private static final String ERROR_TRACE = "0af7651916cd43dd8448eb211c80319c";
    private static final String PLAIN_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

    @RegisterExtension
    static final MiniClusterExtension FLINK = JobTestSupport.miniCluster();

    @TempDir
    Path temp;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void decidesWritesDeadLettersAndCountsFromABoundedSource() throws Exception {
        List<byte[]> records = List.of(
                JobTestSupport.errorTrace(ERROR_TRACE, "00f067aa0ba902b7", "00f067aa0ba902b8"),
                new byte[] {0x0a, (byte) 0xff, 0x01},
                JobTestSupport.plainTrace(PLAIN_TRACE, "b7ad6b7169203331"));
        TailSamplingConf conf = JobTestSupport.withinSeconds(temp.resolve("warehouse"));
        Collected<DeadLetter> deadLetters = new Collected<>();
        Collected<ServiceStats> stats = new Collected<>();
        TailSamplingJob job = new TailSamplingJob(
                conf,
                new TailSamplingJob.Connectors(
                        stayingOpen(records), otherServiceRate(), deadLetters.sink(), stats.sink()));
        Configuration flink = TailSamplingJob.flinkConfiguration(conf);
        flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        env.setParallelism(2);
        job.build(env);
        env.execute("bounded");

        List<Row> kept = WarehouseSql.open(conf.catalog).query("SELECT trace_id, span_id, sampling_policy FROM spans");
        assertThat(kept)
                .extracting(row -> row.getFieldAs("trace_id") + "/" + row.getFieldAs("span_id") + " "
                        + row.getFieldAs("sampling_policy"))
                .containsExactlyInAnyOrder(
                        ERROR_TRACE + "/00f067aa0ba902b7 errors", ERROR_TRACE + "/00f067aa0ba902b8 errors");
        assertThat(deadLetters.items()).singleElement().satisfies(letter -> {
            assertThat(letter.reason).isEqualTo(OtlpDecoder.UNPARSEABLE_RECORD);
            assertThat(letter.sourceOffset).isEqualTo(1);
        });
        long seen = stats.items().stream().mapToLong(s -> s.tracesSeen).sum();
        long keptTraces = stats.items().stream()
                .mapToLong(s -> s.tracesKeptDeterministic + s.tracesKeptRepresentative)
                .sum();
        assertThat(stats.items()).allMatch(s -> s.service.equals("checkout"));
        assertThat(seen).isEqualTo(2);
        assertThat(keptTraces).isEqualTo(1);
    }

    /**
     * The records, then empty requests at ten a second for five seconds: decisions and windows run on
     * processing time, and a finished input stops their timers.
     */
    private static DataGeneratorSource<OtlpRecord> stayingOpen(List<byte[]> records) {
        List<byte[]> values = new ArrayList<>(records);
        return new DataGeneratorSource<>(
                index -> new OtlpRecord(
                        index < values.size() ? values.get((int) (long) index) : new byte[0], "spans", 0, index),
                values.size() + 50,
                RateLimiterStrategy.perSecond(10),
                SamplingTypes.OTLP_RECORD);
    }

    /** One rate, for a service that sends nothing here: the broadcast input is read and ends. */
    private static DataGeneratorSource<SamplingRate> otherServiceRate() {
        return new DataGeneratorSource<>(
                index -> {
                    SamplingRate rate = new SamplingRate();
                    rate.service = "inventory";
                    rate.rate = 0.5;
                    rate.source = SamplingRate.SOURCE_CONTROLLER;
                    rate.updatedAtMillis = System.currentTimeMillis();
                    return rate;
                },
                1,
                SamplingTypes.SAMPLING_RATE);
    }

    /** Collects what the job sinks, in this JVM, where the mini cluster runs. */
    private static final class Collected<T> {
        private static final Map<Integer, Queue<Object>> ALL = new ConcurrentHashMap<>();
        private final int id = System.identityHashCode(this);

        Collected() {
            ALL.put(id, new ConcurrentLinkedQueue<>());
        }

        Sink<T> sink() {
            return new Collecting<>(id);
        }

        @SuppressWarnings("unchecked")
        List<T> items() {
            return new ArrayList<>((Queue<T>) ALL.get(id));
        }
    }

    /** A sink that adds what it receives to the queue {@code key} names. */
    private record Collecting<T>(int key) implements Sink<T> {
        @Override
        public SinkWriter<T> createWriter(WriterInitContext context) {
            Queue<Object> queue = Collected.ALL.get(key);
            return new SinkWriter<>() {
                @Override
                public void write(T element, Context ignored) {
                    queue.add(element);
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}

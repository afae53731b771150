package dev.tailsampling.jobs;

import dev.tailsampling.iceberg.AttributeIndexTable;
import dev.tailsampling.iceberg.ServiceEdgesTable;
import dev.tailsampling.iceberg.ServiceMetricsTable;
import dev.tailsampling.iceberg.SpansTable;
import dev.tailsampling.iceberg.TableSink;
import dev.tailsampling.iceberg.TraceIndexTable;
import dev.tailsampling.iceberg.TraceSummariesTable;
import dev.tailsampling.operators.DeadLetter;
import dev.tailsampling.operators.DecodeFunction;
import dev.tailsampling.operators.DecodeOperator;
import dev.tailsampling.operators.OtlpRecord;
import dev.tailsampling.operators.PreSamplingFunction;
import dev.tailsampling.operators.SamplingRatesState;
import dev.tailsampling.operators.SamplingTypes;
import dev.tailsampling.operators.ServiceEdgesFunction;
import dev.tailsampling.operators.ServiceMetricsFunction;
import dev.tailsampling.operators.ServiceStatsWindow;
import dev.tailsampling.operators.TailSamplerFunction;
import dev.tailsampling.operators.TraceFragment;
import dev.tailsampling.sampling.Span;
import dev.tailsampling.sampling.metrics.EdgeCalls;
import dev.tailsampling.sampling.metrics.EdgeMinute;
import dev.tailsampling.sampling.metrics.OperationMinute;
import dev.tailsampling.sampling.metrics.OperationSample;
import dev.tailsampling.sampling.rates.SamplingRate;
import dev.tailsampling.sampling.rates.ServiceStats;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.windowing.assigners.TumblingProcessingTimeWindows;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.rocksdb.CompressionType;

/**
 * The tail-sampling job: OTLP records from Kafka, decoded, pre-sampled, keyed by trace id, buffered
 * and decided in RocksDB state, kept spans written to Iceberg with a summary and index rows per
 * kept trace and the service graph of their calls; every span, kept or not, is counted into
 * per-minute service metrics. Refused input
 * goes to the dead-letter topic; the budget controller's rates come in from the rates topic and the
 * statistics it needs go out to the stats topic. The job takes its sources and Kafka sinks
 * ({@link Connectors}), so a test can run the same graph on bounded input without a broker.
 */
public class TailSamplingJob {
    private final TailSamplingConf conf;
    private final Connectors connectors;

    /**
     * Where the job reads and writes besides its tables: the Kafka topics its parameters name
     * ({@link #kafka}), or, in a test, bounded sources and collecting sinks.
     */
    public record Connectors(
            Source<OtlpRecord, ?, ?> spans,
            Source<SamplingRate, ?, ?> rates,
            Sink<DeadLetter> deadLetters,
            Sink<ServiceStats> stats) {

        public static Connectors kafka(TailSamplingConf conf) {
            return new Connectors(
                    KafkaSource.<OtlpRecord>builder()
                            .setProperties(conf.kafkaClientProperties())
                            .setTopics(conf.spansTopic)
                            .setGroupId(conf.groupId)
                            .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                            .setDeserializer(new OtlpRecordDeserializer())
                            .build(),
                    // Compacted, so from its beginning it holds the latest rate per service.
                    StreamingSetup.topicOrLater(
                            conf.kafkaClientProperties(),
                            conf.ratesTopic,
                            conf.groupId + "-rates",
                            OffsetsInitializer.earliest(),
                            JsonRecordDeserializer.rates()),
                    // Replays may repeat a dead letter; a failed send is counted, never fatal.
                    new DeadLetterSink(conf.kafkaClientProperties(), conf.deadLetterTopic, conf.deadLetterMaxBytes),
                    KafkaSink.<ServiceStats>builder()
                            .setKafkaProducerConfig(conf.kafkaClientProperties())
                            .setRecordSerializer(
                                    new JsonRecordSerializer<ServiceStats>(conf.statsTopic, stats -> stats.service))
                            // The controller smooths over windows; a repeated window after a
                            // restore is a small, passing error, a lost one would be too.
                            .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                            .build());
        }
    }

    /** The job on the Kafka topics of {@code conf}. */
    public TailSamplingJob(TailSamplingConf conf) {
        this(conf, Connectors.kafka(conf));
    }

    public TailSamplingJob(TailSamplingConf conf, Connectors connectors) {
        this.conf = conf;
        this.connectors = connectors;
    }

    public TailSamplingConf conf() {
        return conf;
    }

    public static void main(String[] args) throws Exception {
        TailSamplingConf conf = TailSamplingConf.fromArgs(args);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flinkConfiguration(conf));
        new TailSamplingJob(conf).build(env);
        env.execute("tail-sampling");
    }

    /**
     * The Flink settings this job needs: RocksDB state with incremental checkpoints, exactly-once
     * checkpoints at the configured interval (Iceberg commits on each), and the checkpoint folder
     * if one was given. A cluster's own settings still apply where these say nothing.
     *
     * <p>RocksDB's files are not compressed: every span passes through the buffer and is deleted a
     * decision wait later, so compressing each flush costs CPU for every span to save disk on
     * seconds of traffic; off, the sampler ran 1.37x faster (docs/BENCHMARKS.md).
     */
    public static Configuration flinkConfiguration(TailSamplingConf conf) {
        Configuration config = StreamingSetup.checkpointedOnRocksDb(conf.checkpointInterval, conf.stateDir);
        config.set(RocksDBConfigurableOptions.COMPRESSION_PER_LEVEL, List.of(CompressionType.NO_COMPRESSION));
        return config;
    }

    /**
     * What the job writes to its tables: kept spans (with summaries and locations on side outputs)
     * and metrics; and the fragments the tail sampler decided from, after pre-sampling.
     */
    public record Outputs(
            SingleOutputStreamOperator<Span> kept,
            DataStream<OperationMinute> metrics,
            DataStream<TraceFragment> sampled) {}

    /** Adds the job's operators to {@code env}; returns what goes to the tables. */
    public Outputs build(StreamExecutionEnvironment env) {
        Outputs outputs = outputs(env);
        SingleOutputStreamOperator<Span> kept = outputs.kept();
        TableSink.append(kept, SpansTable.COLUMNS.rows(), SpansTable.TABLE, conf.catalog);
        TableSink.append(
                kept.getSideOutput(TailSamplerFunction.SUMMARIES),
                TraceSummariesTable.COLUMNS.rows(),
                TraceSummariesTable.TABLE,
                conf.catalog);
        TableSink.append(
                kept.getSideOutput(TailSamplerFunction.LOCATIONS),
                TraceIndexTable.COLUMNS.rows(),
                TraceIndexTable.TABLE,
                conf.catalog);
        TableSink.append(
                outputs.metrics(), ServiceMetricsTable.COLUMNS.rows(), ServiceMetricsTable.TABLE, conf.catalog);
        // The service graph, from the calls in kept traces, weighted to stand for all calls.
        DataStream<EdgeMinute> edges = kept.getSideOutput(TailSamplerFunction.EDGES)
                .keyBy(new EdgeMinuteKey(), Types.STRING)
                .process(new ServiceEdgesFunction(conf.metricsDelay), SamplingTypes.EDGE_MINUTE)
                .uid("service-edges")
                .name("service-edges");
        TableSink.append(edges, ServiceEdgesTable.COLUMNS.rows(), ServiceEdgesTable.TABLE, conf.catalog);
        if (!conf.indexedAttributes.isEmpty()) {
            TableSink.append(
                    kept.getSideOutput(TailSamplerFunction.ATTRIBUTES),
                    AttributeIndexTable.COLUMNS.rows(),
                    AttributeIndexTable.TABLE,
                    conf.catalog);
        }
        return outputs;
    }

    /**
     * Source, decoding, dead letters, service metrics, pre-sampling and the tail sampler, with the
     * controller's rates broadcast into both and the statistics published for it: everything up to
     * the table writes.
     */
    public Outputs outputs(StreamExecutionEnvironment env) {
        BroadcastStream<SamplingRate> rates = rates(env).broadcast(SamplingRatesState.DESCRIPTOR);
        // A trace's spans in a record travel together, as OTLP bytes until the trace is kept.
        SingleOutputStreamOperator<TraceFragment> spans = records(env)
                .transform(
                        "decode", SamplingTypes.TRACE_FRAGMENT, new DecodeOperator(conf.decodeLimits, conf.redaction))
                .uid("decode")
                .name("decode");

        spans.getSideOutput(DecodeFunction.DEAD_LETTERS)
                .sinkTo(connectors.deadLetters())
                .uid("dead-letters")
                .name("dead-letters");

        // Every span counts in the service metrics, before any sampling.
        DataStream<OperationMinute> metrics = spans.getSideOutput(DecodeFunction.METRICS)
                .keyBy(new OperationMinuteKey(), Types.STRING)
                .process(new ServiceMetricsFunction(conf.metricsDelay), SamplingTypes.OPERATION_MINUTE)
                .uid("service-metrics")
                .name("service-metrics");

        // Shed load by the trace-id threshold before the shuffle, when the controller asks for it.
        SingleOutputStreamOperator<TraceFragment> presampled = spans.connect(rates)
                .process(new PreSamplingFunction(conf.ratesMaxAge), SamplingTypes.TRACE_FRAGMENT)
                .uid("pre-sample")
                .name("pre-sample");

        SingleOutputStreamOperator<Span> kept = presampled
                .keyBy(new TraceIdKey(), Types.STRING)
                .connect(rates)
                .process(
                        new TailSamplerFunction(
                                conf.policy(),
                                conf.shadowPolicy,
                                conf.bufferLimits,
                                conf.decisionCacheTtl,
                                conf.indexedAttributes),
                        SamplingTypes.SPAN)
                .uid("tail-sampler")
                .name("tail-sampler");

        // Per root service and window, what was seen and kept: the budget controller's input.
        kept.getSideOutput(TailSamplerFunction.STATS)
                .keyBy(new ServiceKey(), Types.STRING)
                .window(TumblingProcessingTimeWindows.of(conf.statsWindow))
                .aggregate(
                        new ServiceStatsWindow.Sum(),
                        new ServiceStatsWindow.Stamp(),
                        SamplingTypes.SERVICE_STATS,
                        SamplingTypes.SERVICE_STATS,
                        SamplingTypes.SERVICE_STATS)
                .uid("sampling-stats")
                .name("sampling-stats")
                .sinkTo(connectors.stats())
                .uid("sampling-stats-sink")
                .name("sampling-stats-sink");
        return new Outputs(kept, metrics, presampled);
    }

    /** The controller's rates, at parallelism 1: every subtask receives them broadcast. */
    public DataStream<SamplingRate> rates(StreamExecutionEnvironment env) {
        return env.fromSource(connectors.rates(), WatermarkStrategy.noWatermarks(), "sampling-rates")
                .uid("sampling-rates")
                .setParallelism(1);
    }

    /** The OTLP records of the spans topic, as bytes with where each was read. */
    public DataStream<OtlpRecord> records(StreamExecutionEnvironment env) {
        // Uids are savepoint keys: an operator without one fails here, not at restore.
        env.getConfig().disableAutoGeneratedUIDs();
        env.getConfig().enableObjectReuse();
        // No watermarks: decisions run on processing time, so an idle partition cannot stall them.
        return env.fromSource(connectors.spans(), WatermarkStrategy.noWatermarks(), "otlp-spans")
                .uid("otlp-spans");
    }

    /** Builds the job on {@code env} and starts it without waiting for it to end. */
    public JobClient start(StreamExecutionEnvironment env) throws Exception {
        build(env);
        return env.executeAsync("tail-sampling");
    }

    /** Keys statistics by their root service. */
    static final class ServiceKey implements KeySelector<ServiceStats, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(ServiceStats stats) {
            return stats.service;
        }
    }

    /** Keys operation samples by service, operation, span kind and minute. */
    static final class OperationMinuteKey implements KeySelector<OperationSample, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(OperationSample sample) {
            return sample.key();
        }
    }

    /** Keys service-graph calls by edge and minute. */
    static final class EdgeMinuteKey implements KeySelector<EdgeCalls, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(EdgeCalls calls) {
            return calls.key();
        }
    }

    /** Keys fragments by their trace id. */
    static final class TraceIdKey implements KeySelector<TraceFragment, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(TraceFragment fragment) {
            return fragment.traceId;
        }
    }
}

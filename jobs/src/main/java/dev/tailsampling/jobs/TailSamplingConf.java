package dev.tailsampling.jobs;

import static dev.tailsampling.jobs.JobParameters.nonBlank;
import static dev.tailsampling.jobs.JobParameters.positive;
import static dev.tailsampling.jobs.JobParameters.read;
import static dev.tailsampling.jobs.TailSamplingOptions.KAFKA_SECURITY_PREFIX;

import dev.tailsampling.iceberg.IcebergCatalogConf;
import dev.tailsampling.operators.SamplerOptions;
import dev.tailsampling.operators.decide.BufferLimits;
import dev.tailsampling.operators.otlp.DecodeLimits;
import dev.tailsampling.operators.otlp.DecodeOptions;
import dev.tailsampling.operators.otlp.Redaction;
import dev.tailsampling.sampling.PolicySet;
import dev.tailsampling.sampling.config.PolicyFile;
import dev.tailsampling.sampling.config.PolicyFileException;
import java.io.Serializable;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;

/**
 * The job parameters, read and checked once at start. A parameter that is unknown or has a bad
 * value stops the job with a message naming the parameter and what it accepts.
 *
 * <p>The decision wait comes from {@code --sampling.decision-wait} if given, else from the policy
 * file's {@code decision_wait}, else the default of 30 s.
 */
public final class TailSamplingConf implements Serializable {
    private static final long serialVersionUID = 1L;

    public final String bootstrapServers;
    public final String spansTopic;
    public final String deadLetterTopic;
    public final String ratesTopic;
    public final String statsTopic;
    public final String groupId;
    /** Kafka client properties from {@code --kafka.security.*}. */
    public final Map<String, String> kafkaProperties;

    public final IcebergCatalogConf catalog;
    /** The policy file's policies, or null for the built-in ones. */
    public final PolicySet policyFile;
    /** The shadow file's policies, judged beside the live ones and never acted on; null for none. */
    public final PolicySet shadowPolicy;
    /** When the sampler decides a buffered trace. */
    public final BufferLimits bufferLimits;
    /** What the decoder accepts of a record and its spans. */
    public final DecodeLimits decodeLimits;
    /** What the decoder redacts before anything is kept. */
    public final Redaction redaction;
    /** Dead letters above this size go as pointers. */
    public final int deadLetterMaxBytes;

    public final Duration decisionCacheTtl;
    public final Duration latencyThreshold;
    public final double representativeRate;
    /** How old the controller's rates may be before pre-sampling ignores them. */
    public final Duration ratesMaxAge;

    public final Duration statsWindow;
    /** How long after a minute ends its service metrics are written. */
    public final Duration metricsDelay;

    /** Attribute keys whose values go to {@code attribute_index}; empty for none. */
    public final Set<String> indexedAttributes;

    public final Duration checkpointInterval;
    /** Checkpoint directory, or null for the cluster's own. */
    public final String stateDir;

    private TailSamplingConf(Map<String, String> params) {
        JobParameters.rejectUnknown(params, TailSamplingOptions.ALL);
        Configuration config = Configuration.fromMap(params);
        bootstrapServers = nonBlank(config, TailSamplingOptions.KAFKA_BOOTSTRAP_SERVERS);
        spansTopic = nonBlank(config, TailSamplingOptions.KAFKA_TOPIC_SPANS);
        deadLetterTopic = nonBlank(config, TailSamplingOptions.KAFKA_TOPIC_DEAD_LETTERS);
        ratesTopic = nonBlank(config, TailSamplingOptions.KAFKA_TOPIC_RATES);
        statsTopic = nonBlank(config, TailSamplingOptions.KAFKA_TOPIC_STATS);
        groupId = JobParameters.groupId(config, "tail-sampling");
        kafkaProperties = JobParameters.withPrefix(params, KAFKA_SECURITY_PREFIX);
        catalog = JobParameters.catalog(params);
        String policyPath = config.get(SamplerOptions.POLICIES);
        PolicyFile file = null;
        if (policyPath != null) {
            try {
                file = PolicyFile.load(Paths.get(policyPath));
            } catch (PolicyFileException e) {
                throw new IllegalArgumentException("--sampling.policies: " + e.getMessage(), e);
            }
        }
        policyFile = file == null ? null : file.policies;
        String shadowPath = config.get(SamplerOptions.SHADOW_POLICIES);
        try {
            shadowPolicy = shadowPath == null ? null : PolicyFile.load(Paths.get(shadowPath)).policies;
        } catch (PolicyFileException e) {
            throw new IllegalArgumentException("--sampling.shadow-policies: " + e.getMessage(), e);
        }
        for (ConfigOption<?> builtIn : List.of(SamplerOptions.LATENCY_THRESHOLD, SamplerOptions.REPRESENTATIVE_RATE)) {
            if (file != null && params.containsKey(builtIn.key())) {
                throw new IllegalArgumentException(
                        "--" + builtIn.key() + " sets a built-in policy, which --sampling.policies replaces;"
                                + " put the rule in the policy file instead");
            }
        }
        Duration decisionWait =
                file != null && file.decisionWait != null && !params.containsKey(SamplerOptions.DECISION_WAIT.key())
                        ? file.decisionWait
                        : positive(config, SamplerOptions.DECISION_WAIT);
        try {
            bufferLimits = new BufferLimits(
                    decisionWait,
                    JobParameters.positiveOr(config, SamplerOptions.DECISION_WAIT_AFTER_ROOT, decisionWait),
                    positive(config, SamplerOptions.MAX_TRACE_DURATION),
                    atLeastOne(config, SamplerOptions.MAX_SPANS_PER_TRACE),
                    bytes(config, SamplerOptions.MAX_TRACE_BYTES, Long.MAX_VALUE));
        } catch (IllegalArgumentException e) {
            // Each value alone is checked above; what is left is how they relate.
            throw new IllegalArgumentException(
                    "--" + SamplerOptions.DECISION_WAIT.key() + ", --" + SamplerOptions.DECISION_WAIT_AFTER_ROOT.key()
                            + " and --" + SamplerOptions.MAX_TRACE_DURATION.key() + ": " + e.getMessage(),
                    e);
        }
        decodeLimits = new DecodeLimits(
                (int) bytes(config, DecodeOptions.MAX_RECORD_BYTES, Integer.MAX_VALUE),
                atLeastOne(config, DecodeOptions.MAX_SPANS_PER_RECORD),
                atLeastOne(config, DecodeOptions.MAX_VALUES_PER_RECORD),
                atLeastOne(config, DecodeOptions.MAX_ATTRIBUTES_PER_SPAN),
                atLeastOne(config, DecodeOptions.MAX_EVENTS_PER_SPAN),
                atLeastOne(config, DecodeOptions.MAX_LINKS_PER_SPAN),
                atLeastOne(config, DecodeOptions.MAX_ATTRIBUTE_LENGTH),
                positive(config, DecodeOptions.MAX_SPAN_AGE),
                positive(config, DecodeOptions.MAX_CLOCK_SKEW));
        Set<String> hashed = keys(config.get(DecodeOptions.REDACTION_HASH));
        String hashKeyFile = config.get(DecodeOptions.REDACTION_HASH_KEY_FILE);
        if (!hashed.isEmpty() && hashKeyFile == null) {
            throw new IllegalArgumentException(
                    "--redaction.hash-attributes needs --redaction.hash-key-file, a file holding the hash key");
        }
        redaction = new Redaction(
                keys(config.get(DecodeOptions.REDACTION_DROP)),
                hashed,
                hashKeyFile,
                read(config, DecodeOptions.REDACTION_SANITIZE_SQL, "true or false"));
        deadLetterMaxBytes = (int) bytes(config, TailSamplingOptions.DEAD_LETTER_MAX_BYTES, Integer.MAX_VALUE);
        decisionCacheTtl = positive(config, SamplerOptions.DECISION_CACHE_TTL);
        latencyThreshold = positive(config, SamplerOptions.LATENCY_THRESHOLD);
        representativeRate = read(config, SamplerOptions.REPRESENTATIVE_RATE, "a number from 0 to 1 such as 0.01");
        if (!(representativeRate >= 0.0 && representativeRate <= 1.0)) {
            throw new IllegalArgumentException(
                    "--sampling.representative-rate must be a number from 0 to 1, was " + representativeRate);
        }
        ratesMaxAge = positive(config, SamplerOptions.RATES_MAX_AGE);
        statsWindow = positive(config, SamplerOptions.STATS_WINDOW);
        metricsDelay = positive(config, SamplerOptions.METRICS_DELAY);
        indexedAttributes = keys(config.get(TailSamplingOptions.INDEX_ATTRIBUTES));
        checkpointInterval = positive(config, TailSamplingOptions.CHECKPOINT_INTERVAL);
        stateDir = config.get(TailSamplingOptions.STATE_DIR);
    }

    /** Attribute keys given comma-separated; blanks ignored. */
    private static Set<String> keys(String commaSeparated) {
        Set<String> keys = new java.util.TreeSet<>();
        for (String key : commaSeparated.split(",")) {
            if (!key.isBlank()) {
                keys.add(key.strip());
            }
        }
        return keys;
    }

    private static int atLeastOne(Configuration config, ConfigOption<Integer> option) {
        int value = read(config, option, "a whole number such as " + option.defaultValue());
        if (value < 1) {
            throw new IllegalArgumentException("--" + option.key() + " must be at least 1, was " + value);
        }
        return value;
    }

    private static long bytes(Configuration config, ConfigOption<MemorySize> option, long max) {
        MemorySize value = read(config, option, "a size with a unit such as 8mb, 512kb or 1000000b");
        if (value.getBytes() < 1 || value.getBytes() > max) {
            throw new IllegalArgumentException(
                    "--" + option.key() + " must be from 1 byte to " + max + " bytes, was " + value);
        }
        return value.getBytes();
    }

    /** Parses {@code --key value} arguments. */
    public static TailSamplingConf fromArgs(String[] args) {
        return fromMap(JobParameters.parse(args));
    }

    public static TailSamplingConf fromMap(Map<String, String> params) {
        return new TailSamplingConf(params);
    }

    /**
     * The policies of this job: the policy file's, or else errors, slow traces and the
     * representative sample (at the controller's rates once it publishes them), in that order.
     */
    public PolicySet policy() {
        return policyFile != null ? policyFile : PolicySet.builtIn(latencyThreshold, representativeRate);
    }

    /** Kafka client properties: brokers plus the pass-through ones. */
    public Properties kafkaClientProperties() {
        return JobParameters.kafkaClientProperties(bootstrapServers, kafkaProperties);
    }
}

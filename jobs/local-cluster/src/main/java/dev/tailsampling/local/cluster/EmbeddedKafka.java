package dev.tailsampling.local.cluster;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.BrokerServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * Real Kafka brokers (KRaft) inside this JVM: one broker combined with its controller for the local
 * run, or several brokers beside a controller of their own, whose brokers can all be stopped and
 * started again on the same ports, as an outage would.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private final KafkaClusterTestKit cluster;
    private final int brokers;

    private EmbeddedKafka(KafkaClusterTestKit cluster, int brokers) {
        this.cluster = cluster;
        this.brokers = brokers;
    }

    /** One broker: formats a fresh log folder and starts it; returns once it accepts clients. */
    public static EmbeddedKafka start() throws Exception {
        return start(1);
    }

    /**
     * {@code brokers} brokers; with more than one, the controller runs apart from them. Internal
     * and new topics get three replicas, or one per broker when there are fewer.
     */
    public static EmbeddedKafka start(int brokers) throws Exception {
        String replicas = String.valueOf(Math.min(3, brokers));
        KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                        .setCombined(brokers == 1)
                        .setNumBrokerNodes(brokers)
                        .setNumControllerNodes(1)
                        .build())
                .setConfigProp("offsets.topic.replication.factor", replicas)
                .setConfigProp("transaction.state.log.replication.factor", replicas)
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .build();
        // The storage formatter reports on standard output; keep the console for the run's own lines.
        PrintStream console = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            cluster.format();
        } finally {
            System.setOut(console);
        }
        cluster.startup();
        cluster.waitForReadyBrokers();
        return new EmbeddedKafka(cluster, brokers);
    }

    /** Stops every broker (the controller keeps running); clients see the cluster gone. */
    public void stopBrokers() {
        cluster.brokers().values().forEach(BrokerServer::shutdown);
    }

    /** Starts the stopped brokers again on their ports; returns once they accept clients. */
    public void startBrokers() throws Exception {
        cluster.brokers().values().forEach(BrokerServer::startup);
        cluster.waitForReadyBrokers();
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** Client properties that reach this broker. */
    public Properties clientProperties() {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrapServers());
        return props;
    }

    public void createTopic(String name, int partitions, Map<String, String> configs) throws Exception {
        try (Admin admin = Admin.create(clientProperties())) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) Math.min(3, brokers)).configs(configs)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}

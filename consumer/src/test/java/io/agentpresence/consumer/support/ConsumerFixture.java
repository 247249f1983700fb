package io.agentpresence.consumer.support;

import io.agentpresence.consumer.engine.ConsumerListener;
import io.agentpresence.consumer.ConsumerService;
import io.agentpresence.consumer.config.PresenceConsumerConfig;
import io.agentpresence.embedded.junit.KafkaEndpoint;
import io.agentpresence.embedded.junit.TcpProxy;
import io.agentpresence.embedded.junit.TestDatabase;
import io.agentpresence.model.PresenceEventCodec;
import io.agentpresence.model.PresencePublisher;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;

/**
 * One integration test's consumer setup on the shared broker and the test's own database: the common settings,
 * services started from them, publishers and producers. Everything it creates, or is handed with
 * {@link #closeLater}, it closes newest first.
 */
public final class ConsumerFixture implements AutoCloseable {

    private final KafkaEndpoint kafka;
    private final TestDatabase db;
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();

    public ConsumerFixture(KafkaEndpoint kafka, TestDatabase db) {
        this.kafka = kafka;
        this.db = db;
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public TestDatabase db() {
        return db;
    }

    /** A new topic named after {@code prefix}, every partition served. */
    public String topic(String prefix, int partitions) throws Exception {
        return Topics.create(kafka.bootstrapServers(), prefix, partitions);
    }

    /** Broker, database, topic (with a dead-letter topic of its own) and group, polling briskly; a mutable map. */
    public Map<String, String> settings(String topic, String group) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("bootstrap.servers", kafka.bootstrapServers());
        settings.put("db.url", db.jdbcUrl());
        settings.put("db.user", db.user());
        settings.put("db.password", db.password());
        settings.put("topic", topic);
        settings.put("dlq.topic", topic + ".dlq");
        settings.put("group.id", group);
        settings.put("poll.timeout", "100ms");
        return settings;
    }

    public ConsumerService start(Map<String, String> settings) throws Exception {
        return start(settings, ConsumerListener.NONE);
    }

    public ConsumerService start(Map<String, String> settings, ConsumerListener listener) throws Exception {
        return closeLater(ConsumerService.start(PresenceConsumerConfig.fromMap(settings), listener));
    }

    public PresencePublisher publisher(String topic) {
        return publisher(topic, PresencePublisher.DEFAULT_DELIVERY_TIMEOUT);
    }

    /** A publisher whose sends wait up to {@code deliveryTimeout} for the broker, e.g. through its restart. */
    public PresencePublisher publisher(String topic, Duration deliveryTimeout) {
        return closeLater(new PresencePublisher(producerSettings(deliveryTimeout), topic, new PresenceEventCodec()));
    }

    /** A producer of raw bytes, set up as {@link PresencePublisher} sets up its own, for records it would refuse. */
    public KafkaProducer<byte[], byte[]> rawProducer() {
        return rawProducer(PresencePublisher.DEFAULT_DELIVERY_TIMEOUT);
    }

    public KafkaProducer<byte[], byte[]> rawProducer(Duration deliveryTimeout) {
        return closeLater(new KafkaProducer<>(PresencePublisher.producerSettings(producerSettings(deliveryTimeout))));
    }

    private Map<String, Object> producerSettings(Duration deliveryTimeout) {
        return Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Math.toIntExact(deliveryTimeout.toMillis()));
    }

    /** A proxy in front of the database server, to cut it away and give it back; see {@link #jdbcUrlVia}. */
    public TcpProxy databaseProxy() throws Exception {
        URI server = URI.create(db.jdbcUrl().substring("jdbc:".length()));
        return closeLater(TcpProxy.start(server.getHost(), server.getPort()));
    }

    public String jdbcUrlVia(TcpProxy proxy) {
        return "jdbc:mysql://" + proxy.host() + ":" + proxy.port() + "/" + db.name();
    }

    /** An admin client of the broker; the caller closes it. */
    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    /** Sum over the topic's partitions of the group's committed offsets (= records consumed, from offset 0). */
    public long committed(String topic, String group) throws Exception {
        try (Admin admin = admin()) {
            Map<TopicPartition, OffsetAndMetadata> offsets =
                    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            return offsets.entrySet().stream().filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
                    .mapToLong(e -> e.getValue().offset()).sum();
        }
    }

    /** Closes {@code resource} with the rest, before everything registered earlier. */
    public <T extends AutoCloseable> T closeLater(T resource) {
        resources.push(resource);
        return resource;
    }

    @Override
    public void close() throws Exception {
        Exception failure = null;
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception e) {
                // keep closing: one failed close must not leave the later resources running
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}

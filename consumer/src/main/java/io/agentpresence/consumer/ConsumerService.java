package io.agentpresence.consumer;

import com.zaxxer.hikari.HikariDataSource;
import io.agentpresence.consumer.error.DeadLetterPublisher;
import io.agentpresence.consumer.error.FailureClassifier;
import io.agentpresence.consumer.ops.PresenceMetrics;
import io.agentpresence.consumer.sink.DataSourceFactory;
import io.agentpresence.consumer.sink.OffsetStore;
import io.agentpresence.consumer.sink.PresenceWriter;
import io.agentpresence.consumer.sink.SchemaMigrator;
import io.agentpresence.model.PresencePublisher;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: wires the pool, the schema, the writer and the Kafka consumer by hand, runs the poll
 * loop on its own thread, and takes it all down again in order on {@link #close()}.
 */
public final class ConsumerService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerService.class);
    static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(15);
    /** How long the loop waits for the dead-letter topic to acknowledge before it retries the batch. */
    static final Duration DEAD_LETTER_TIMEOUT = Duration.ofSeconds(30);

    private final HikariDataSource dataSource;
    private final DeadLetterPublisher deadLetters;
    private final PresenceConsumer loop;
    private final Thread thread;
    private final MeterRegistry registry;

    private ConsumerService(HikariDataSource dataSource, DeadLetterPublisher deadLetters, PresenceConsumer loop,
                            MeterRegistry registry) {
        this.dataSource = dataSource;
        this.deadLetters = deadLetters;
        this.loop = loop;
        this.registry = registry;
        this.thread = new Thread(loop, "presence-consumer");
    }

    /** Connects, migrates when configured, and starts consuming. Fails fast with the cause when it cannot. */
    public static ConsumerService start(PresenceConsumerConfig config) throws SQLException {
        return start(config, ConsumerListener.NONE);
    }

    /** As {@link #start(PresenceConsumerConfig)}, with hooks into the poll loop. */
    public static ConsumerService start(PresenceConsumerConfig config, ConsumerListener listener) throws SQLException {
        String bootstrapServers = config.bootstrapServers();
        LOG.info("Starting presence consumer with:\n{}", config.describe());
        HikariDataSource dataSource = DataSourceFactory.create(config.dbUrl(), config.dbUser(), config.dbPassword(),
                config.dbPoolSize());
        try {
            if (config.migrateOnStart()) {
                LOG.info("Database schema at version {}", SchemaMigrator.migrate(dataSource));
            }
            OffsetStore offsets = new OffsetStore(config.groupId());
            PresenceWriter writer = PresenceWriter.forServer(dataSource, offsets);
            MeterRegistry registry = new SimpleMeterRegistry();
            PresenceMetrics metrics = new PresenceMetrics(registry);
            FailureClassifier classifier = new FailureClassifier();
            DeadLetterPublisher deadLetters = new DeadLetterPublisher(
                    new KafkaProducer<>(deadLetterProducerProperties(config, bootstrapServers)),
                    config.dlqTopic(), config.groupId());
            KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(config, bootstrapServers));
            BatchApplier applier = new BatchApplier(writer, deadLetters, classifier, metrics, DEAD_LETTER_TIMEOUT);
            PresenceConsumer loop = new PresenceConsumer(consumer, config.topic(), new RecordDecoder(config.codec()),
                    applier, offsets, dataSource, classifier, metrics, config.pollTimeout(), config.retryBackoffMax(), listener);
            ConsumerService service = new ConsumerService(dataSource, deadLetters, loop, registry);
            service.thread.start();
            LOG.info("Consuming {} as group {} from {}", config.topic(), config.groupId(), bootstrapServers);
            return service;
        } catch (SQLException | RuntimeException e) {
            dataSource.close();
            throw e;
        }
    }

    static Map<String, Object> consumerProperties(PresenceConsumerConfig config, String bootstrapServers) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "presence-consumer-" + hostName() + "-"
                + UUID.randomUUID().toString().substring(0, 8));
        // a new group builds the table from the whole topic
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.maxPollRecords());
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        props.putAll(config.kafkaProperties());
        // not overridable: offsets are committed by hand after the database commit, and decoding is ours
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        if ("consumer".equalsIgnoreCase(String.valueOf(props.get(ConsumerConfig.GROUP_PROTOCOL_CONFIG)))) {
            // the KIP-848 protocol assigns on the broker and rejects a client-side assignor
            props.remove(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG);
        }
        return props;
    }

    static Map<String, Object> deadLetterProducerProperties(PresenceConsumerConfig config, String bootstrapServers) {
        Map<String, Object> overrides = new HashMap<>();
        config.kafkaProperties().forEach((name, value) -> {
            // security and connection settings apply to both clients; consumer-only ones would only warn
            if (ProducerConfig.configNames().contains(name)) {
                overrides.put(name, value);
            }
        });
        overrides.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        overrides.put(ProducerConfig.CLIENT_ID_CONFIG, "presence-dlq-" + hostName());
        // bounded, so an unreachable dead-letter topic turns into a retried batch, not a stuck loop
        overrides.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        overrides.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 25_000);
        overrides.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return PresencePublisher.producerSettings(overrides);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            // only used to make the client id readable
            return "unknown-host";
        }
    }

    public MeterRegistry meterRegistry() {
        return registry;
    }

    public boolean isRunning() {
        return thread.isAlive();
    }

    /** Ready: running and not waiting for the database or the dead-letter topic. */
    public boolean isReady() {
        return thread.isAlive() && !loop.isWaiting();
    }

    /** The failure that stopped the service, if one did. */
    public Throwable failure() {
        return loop.fatalFailure();
    }

    /** Blocks until the poll loop ends (after {@link #close()}, or a fatal error). */
    public void awaitTermination() throws InterruptedException {
        thread.join();
    }

    /** Lets the current batch finish, commits it, and closes the consumer and the pool. */
    @Override
    public void close() {
        loop.stop();
        try {
            thread.join(SHUTDOWN_WAIT.toMillis());
        } catch (InterruptedException e) {
            // closing anyway; keep the flag for whoever called us
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("Poll loop still busy after {} s; closing the pool under it", SHUTDOWN_WAIT.toSeconds());
        }
        deadLetters.close();
        dataSource.close();
    }
}

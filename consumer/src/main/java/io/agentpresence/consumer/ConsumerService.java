package io.agentpresence.consumer;

import io.agentpresence.consumer.config.PresenceConsumerConfig;
import io.agentpresence.consumer.config.KafkaClients;
import io.agentpresence.consumer.engine.PresenceConsumer;
import io.agentpresence.consumer.engine.BatchApplier;
import io.agentpresence.consumer.engine.RecordDecoder;
import io.agentpresence.consumer.engine.ConsumerListener;
import io.agentpresence.consumer.engine.AdminTopicLogs;
import io.agentpresence.consumer.engine.PositionCheck;
import io.agentpresence.consumer.engine.PositionReader;
import io.agentpresence.consumer.engine.TopicPositionReader;
import io.agentpresence.consumer.ops.Service;
import io.agentpresence.consumer.ops.Resources;

import com.zaxxer.hikari.HikariDataSource;
import io.agentpresence.consumer.error.DeadLetterPublisher;
import io.agentpresence.consumer.error.FailureClassifier;
import io.agentpresence.consumer.ops.JvmMeters;
import io.agentpresence.consumer.ops.PresenceMetrics;
import io.agentpresence.consumer.ops.TopicProvisioner;
import io.agentpresence.consumer.sink.DataSourceFactory;
import io.agentpresence.consumer.sink.OffsetStore;
import io.agentpresence.consumer.sink.PresenceWriter;
import io.agentpresence.consumer.sink.SchemaMigrator;
import io.agentpresence.consumer.sink.TombstoneLedger;
import io.agentpresence.consumer.sink.TombstonePruner;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: wires the pool, the schema, the topics, the writer and the Kafka clients by hand,
 * runs the poll loop on its own thread, and takes it all down again in order on {@link #close()}.
 */
public final class ConsumerService implements Service {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerService.class);
    static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(15);
    /** How long the loop waits for the dead-letter topic to acknowledge before it retries the batch. */
    static final Duration DEAD_LETTER_TIMEOUT = Duration.ofSeconds(30);
    /** How long the loop waits for the topic's id and log ranges when it positions an assignment before it retries. */
    static final Duration DESCRIBE_TIMEOUT = Duration.ofSeconds(30);

    private final PresenceConsumer loop;
    private final Thread thread;
    private final PrometheusMeterRegistry registry;
    /** Closed in reverse order of creation. */
    private final List<AutoCloseable> resources;

    private ConsumerService(PresenceConsumer loop, PrometheusMeterRegistry registry, List<AutoCloseable> resources) {
        this.loop = loop;
        this.registry = registry;
        this.resources = resources;
        this.thread = new Thread(loop, "presence-consumer");
    }

    /** Connects, migrates when configured, and starts consuming. Fails fast with the cause when it cannot. */
    public static ConsumerService start(PresenceConsumerConfig config) throws Exception {
        return start(config, ConsumerListener.NONE);
    }

    /** As {@link #start(PresenceConsumerConfig)}, with hooks into the poll loop. */
    public static ConsumerService start(PresenceConsumerConfig config, ConsumerListener listener) throws Exception {
        LOG.info("Starting presence consumer with:\n{}", config.describe(PresenceConsumerConfig.KEYS));
        List<AutoCloseable> resources = new ArrayList<>();
        try {
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            resources.add(registry::close);
            resources.add(JvmMeters.bind(registry));
            if (config.topicsOnStart()) {
                TopicProvisioner.ensureAndLog(KafkaClients.admin(config), config.topicPlan());
            }
            HikariDataSource dataSource = DataSourceFactory.create(config.dbUrl(), config.dbUser(),
                    config.dbPassword(), config.dbPoolSize(), registry);
            resources.add(dataSource);
            if (config.migrateOnStart()) {
                LOG.info("Database schema at version {}", SchemaMigrator.migrate(dataSource));
            }
            OffsetStore offsets = new OffsetStore(config.groupId());
            PresenceWriter writer = PresenceWriter.forServer(dataSource, offsets);
            resources.add(TombstonePruner.start(new TombstoneLedger(dataSource), config.tombstoneRetention(),
                    Clock.systemUTC()));
            PresenceMetrics metrics = new PresenceMetrics(registry);
            FailureClassifier classifier = new FailureClassifier();
            KafkaProducer<byte[], byte[]> dlqProducer = new KafkaProducer<>(KafkaClients.deadLetterProducer(config));
            DeadLetterPublisher deadLetters = new DeadLetterPublisher(dlqProducer, config.dlqTopic(), config.groupId(),
                    config.dlqMaxValueBytes());
            resources.add(deadLetters);
            KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KafkaClients.groupConsumer(config));
            bindKafkaMetrics(registry, resources, new KafkaClientMetrics(consumer), new KafkaClientMetrics(dlqProducer));
            BatchApplier applier = new BatchApplier(writer, deadLetters, classifier, metrics, DEAD_LETTER_TIMEOUT);
            Admin admin = Admin.create(KafkaClients.admin(config));
            resources.add(admin);
            PositionReader positions = new TopicPositionReader(config.topic(), offsets, dataSource,
                    new AdminTopicLogs(admin, DESCRIBE_TIMEOUT),
                    new PositionCheck(config.groupId(), config.recreatedTopicPolicy(), metrics));
            PresenceConsumer loop = new PresenceConsumer(consumer, config.topic(), new RecordDecoder(config.codec()),
                    applier, positions, classifier, metrics, config.pollTimeout(), config.retryBackoffMax(),
                    config.dbWriters(), config.maxPollRecords(), listener);
            metrics.waiting(loop::isWaiting);
            ConsumerService service = new ConsumerService(loop, registry, resources);
            service.thread.start();
            LOG.info("Consuming {} as group {} from {}", config.topic(), config.groupId(), config.bootstrapServers());
            return service;
        } catch (Exception | Error e) {
            Resources.closeAll(resources, e);
            throw e;
        }
    }

    private static void bindKafkaMetrics(PrometheusMeterRegistry registry, List<AutoCloseable> resources,
                                         KafkaClientMetrics... binders) {
        for (KafkaClientMetrics binder : binders) {
            binder.bindTo(registry);
            resources.add(binder);
        }
    }

    @Override
    public PrometheusMeterRegistry meterRegistry() {
        return registry;
    }

    /** Live: the poll loop runs. */
    @Override
    public boolean isLive() {
        return thread.isAlive();
    }

    /** Ready: running and not waiting for the database or the dead-letter topic. */
    @Override
    public boolean isReady() {
        return thread.isAlive() && !loop.isWaiting();
    }

    @Override
    public Throwable failure() {
        return loop.fatalFailure();
    }

    /** Blocks until the poll loop ends (after {@link #close()}, or a fatal error). */
    @Override
    public void awaitTermination() throws InterruptedException {
        thread.join();
    }

    /** Lets the current batch finish, commits it, and closes the consumer, the producer and the pool. */
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
        Resources.closeAll(resources, null);
    }
}

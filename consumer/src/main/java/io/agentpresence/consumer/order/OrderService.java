package io.agentpresence.consumer.order;

import io.agentpresence.consumer.config.KafkaClients;
import io.agentpresence.consumer.config.PresenceConsumerConfig;
import io.agentpresence.consumer.fold.DeadLetterFitter;
import io.agentpresence.consumer.fold.FoldProductionExceptionHandler;
import io.agentpresence.consumer.fold.StreamsApplication;
import io.agentpresence.consumer.ops.JvmMeters;
import io.agentpresence.consumer.ops.OrderMetrics;
import io.agentpresence.consumer.ops.Resources;
import io.agentpresence.consumer.ops.Service;
import io.agentpresence.consumer.ops.TopicProvisioner;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root of the order stage: wires the meters, the topics and the Kafka Streams application by
 * hand, and takes them down again on {@link #close()}. A failure inside Streams stops the whole application, so
 * the process exits and its supervisor restarts it, as with {@code run} and {@code fold}; only a transaction the
 * broker aborted while it was away gets a new stream thread instead ({@link StreamsApplication}), as in the fold.
 */
public final class OrderService implements Service {

    private static final Logger LOG = LoggerFactory.getLogger(OrderService.class);

    private final StreamsApplication app;
    private final PrometheusMeterRegistry registry;
    /** Closed in reverse order of creation, after the application. */
    private final List<AutoCloseable> resources;

    private OrderService(StreamsApplication app, PrometheusMeterRegistry registry, List<AutoCloseable> resources) {
        this.app = app;
        this.registry = registry;
        this.resources = resources;
    }

    /** Creates the topics when configured to, and starts the application with meters of its own. */
    public static OrderService start(PresenceConsumerConfig config) throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        List<AutoCloseable> resources = new ArrayList<>();
        resources.add(registry::close);
        try {
            resources.add(JvmMeters.bind(registry));
        } catch (Exception | Error e) {
            Resources.closeAll(resources, e);
            throw e;
        }
        return start(config, registry, resources, true);
    }

    /**
     * Starts the application beside another service ({@code run}) whose {@code registry} it records its own meters
     * in. The Kafka Streams client metrics are left out there: their names are the consumer's own Kafka metrics.
     */
    public static OrderService startBeside(PresenceConsumerConfig config, PrometheusMeterRegistry registry)
            throws Exception {
        return start(config, registry, new ArrayList<>(), false);
    }

    private static OrderService start(PresenceConsumerConfig config, PrometheusMeterRegistry registry,
                                      List<AutoCloseable> resources, boolean clientMetrics) throws Exception {
        try {
            OrderSettings settings = OrderSettings.from(config);
            LOG.info("Starting presence order stage with:\n{}", config.describe());
            if (config.topicsOnStart()) {
                TopicProvisioner.ensureAndLog(KafkaClients.admin(config), config.topicPlan());
            }
            OrderMetrics metrics = new OrderMetrics(registry);
            Properties streamsConfig = KafkaClients.streams(config, settings.applicationId(), settings.stateDir());
            FoldProductionExceptionHandler.install(streamsConfig, metrics::refused);
            DeadLetterFitter.install(streamsConfig, config.dlqTopic(), config.dlqMaxValueBytes());
            KafkaStreams streams = new KafkaStreams(OrderTopology.build(settings, metrics), streamsConfig);
            StreamsApplication app = new StreamsApplication("Order stage", streams);
            // at once: a failure below must not leave the application's clients and state directory open
            resources.add(app::close);
            if (clientMetrics) {
                KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams);
                streamsMetrics.bindTo(registry);
                resources.add(streamsMetrics);
            }
            app.start();
            LOG.info("Ordering {} into {}: only newer states pass; application id {}, state in {}, exactly-once",
                    settings.rawTopic(), settings.presenceTopic(), settings.applicationId(),
                    settings.stateDir().toAbsolutePath());
            return new OrderService(app, registry, resources);
        } catch (Exception | Error e) {
            Resources.closeAll(resources, e);
            throw e;
        }
    }

    @Override
    public PrometheusMeterRegistry meterRegistry() {
        return registry;
    }

    /** Live: starting, rebalancing or running; not failed or stopped. */
    @Override
    public boolean isLive() {
        return app.isLive();
    }

    /** Ready: every assigned task restored and processing. */
    @Override
    public boolean isReady() {
        return app.isReady();
    }

    @Override
    public Throwable failure() {
        return app.failure();
    }

    /** Blocks until the application stops (after {@link #close()}, or a failure). */
    @Override
    public void awaitTermination() throws InterruptedException {
        app.awaitTermination();
    }

    /** Commits what was processed, leaves the group so the partitions move at once, and closes everything. */
    @Override
    public void close() {
        Resources.closeAll(resources, null);
    }
}

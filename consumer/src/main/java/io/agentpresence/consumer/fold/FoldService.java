package io.agentpresence.consumer.fold;

import io.agentpresence.consumer.config.Durations;
import io.agentpresence.consumer.config.KafkaClients;
import io.agentpresence.consumer.config.PresenceConsumerConfig;
import io.agentpresence.consumer.ops.Service;
import io.agentpresence.consumer.ops.Resources;
import io.agentpresence.consumer.ops.FoldMetrics;
import io.agentpresence.consumer.ops.JvmMeters;
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
 * The composition root of {@code fold}: wires the meters, the topics and the Kafka Streams application by hand,
 * and takes them down again on {@link #close()}. A failure inside Streams stops the whole application, so the
 * process exits and its supervisor restarts it, as with {@code run}; only a transaction the broker aborted while
 * it was away gets a new stream thread instead ({@link StreamsApplication}).
 */
public final class FoldService implements Service {

    private static final Logger LOG = LoggerFactory.getLogger(FoldService.class);

    private final StreamsApplication app;
    private final PrometheusMeterRegistry registry;
    /** Closed in reverse order of creation, after the application. */
    private final List<AutoCloseable> resources;

    private FoldService(StreamsApplication app, PrometheusMeterRegistry registry, List<AutoCloseable> resources) {
        this.app = app;
        this.registry = registry;
        this.resources = resources;
    }

    /** Creates the topics when configured to, and starts the application. Fails fast with the cause when it cannot. */
    public static FoldService start(PresenceConsumerConfig config) throws Exception {
        FoldSettings settings = FoldSettings.from(config);
        LOG.info("Starting presence fold with:\n{}", config.describe(FoldSettings.READS));
        List<AutoCloseable> resources = new ArrayList<>();
        try {
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            resources.add(registry::close);
            resources.add(JvmMeters.bind(registry));
            if (config.topicsOnStart()) {
                TopicProvisioner.ensureAndLog(KafkaClients.admin(config),
                        config.topicPlan().withDeviceTopic(settings.deviceTopic()));
            }
            FoldMetrics metrics = new FoldMetrics(registry);
            Properties streamsConfig = KafkaClients.streams(config, settings.applicationId(), settings.stateDir());
            FoldProductionExceptionHandler.install(streamsConfig, metrics::dropped);
            DeadLetterFitter.install(streamsConfig, config.dlqTopic(), config.dlqMaxValueBytes());
            KafkaStreams streams = new KafkaStreams(FoldTopology.build(settings, metrics), streamsConfig);
            StreamsApplication app = new StreamsApplication("Fold", streams);
            // at once: a failure below must not leave the application's clients and state directory open
            resources.add(app::close);
            KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams);
            streamsMetrics.bindTo(registry);
            resources.add(streamsMetrics);
            app.start();
            LOG.info("Folding devices from {} into {}: a device expires after {} without an event or heartbeat,"
                    + " checked every {}; precedence {}; application id {}, state in {}, exactly-once",
                    settings.deviceTopic(), settings.presenceTopic(), Durations.format(settings.ttl()),
                    Durations.format(settings.sweepInterval()), settings.precedence(), settings.applicationId(),
                    settings.stateDir().toAbsolutePath());
            return new FoldService(app, registry, resources);
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

    /** The application, for tests that query its stores. */
    KafkaStreams streams() {
        return app.streams();
    }

    /** The failure that stopped the application, if one did. */
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

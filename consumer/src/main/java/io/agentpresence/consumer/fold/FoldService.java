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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root of {@code fold}: wires the meters, the topics and the Kafka Streams application by hand,
 * and takes them down again on {@link #close()}. A failure inside Streams stops the whole application, so the
 * process exits and its supervisor restarts it, as with {@code run}; only a transaction the broker aborted while
 * it was away gets a new stream thread instead ({@link StreamThreadFailures}).
 */
public final class FoldService implements Service {

    private static final Logger LOG = LoggerFactory.getLogger(FoldService.class);
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(15);

    private final KafkaStreams streams;
    private final PrometheusMeterRegistry registry;
    /** Closed in reverse order of creation, after the application. */
    private final List<AutoCloseable> resources;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile Throwable failure;
    private final StreamThreadFailures threadFailures = new StreamThreadFailures(System::nanoTime);

    private FoldService(KafkaStreams streams, PrometheusMeterRegistry registry, List<AutoCloseable> resources) {
        this.streams = streams;
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
            FoldService service = new FoldService(streams, registry, resources);
            // at once: a failure below must not leave the application's clients and state directory open
            resources.add(service::closeStreams);
            KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams);
            streamsMetrics.bindTo(registry);
            resources.add(streamsMetrics);
            streams.setStateListener(service::stateChanged);
            streams.setUncaughtExceptionHandler(service::failed);
            streams.setGlobalStateRestoreListener(new RestoreLog());
            streams.start();
            LOG.info("Folding devices from {} into {}: a device expires after {} without an event or heartbeat,"
                    + " checked every {}; precedence {}; application id {}, state in {}, exactly-once",
                    settings.deviceTopic(), settings.presenceTopic(), Durations.format(settings.ttl()),
                    Durations.format(settings.sweepInterval()), settings.precedence(), settings.applicationId(),
                    settings.stateDir().toAbsolutePath());
            return service;
        } catch (Exception | Error e) {
            Resources.closeAll(resources, e);
            throw e;
        }
    }

    private void stateChanged(KafkaStreams.State now, KafkaStreams.State before) {
        LOG.info("Fold {} (was {})", now, before);
        if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
            stopped.countDown();
        }
    }

    private StreamThreadExceptionResponse failed(Throwable e) {
        StreamThreadExceptionResponse response = threadFailures.responseTo(e);
        if (response == StreamThreadExceptionResponse.REPLACE_THREAD) {
            LOG.warn("A stream thread lost its transaction ({}); a new thread continues from the last commit",
                    e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
            return response;
        }
        failure = e;
        LOG.error("Stopping: {}", e.getMessage(), e);
        return response;
    }

    @Override
    public PrometheusMeterRegistry meterRegistry() {
        return registry;
    }

    /** Live: starting, rebalancing or running; not failed or stopped. */
    @Override
    public boolean isLive() {
        KafkaStreams.State state = streams.state();
        return state == KafkaStreams.State.CREATED || state.isRunningOrRebalancing();
    }

    /** Ready: every assigned task restored and processing. */
    @Override
    public boolean isReady() {
        return streams.state() == KafkaStreams.State.RUNNING;
    }

    /** The application, for tests that query its stores. */
    KafkaStreams streams() {
        return streams;
    }

    /** The failure that stopped the application, if one did. */
    @Override
    public Throwable failure() {
        return failure;
    }

    /** Blocks until the application stops (after {@link #close()}, or a failure). */
    @Override
    public void awaitTermination() throws InterruptedException {
        stopped.await();
    }

    /** Commits what was processed, leaves the group so the partitions move at once, and closes everything. */
    @Override
    public void close() {
        Resources.closeAll(resources, null);
    }

    private void closeStreams() {
        if (!streams.close(CloseOptions.timeout(CLOSE_TIMEOUT)
                .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP))) {
            LOG.warn("Fold still closing after {} s", CLOSE_TIMEOUT.toSeconds());
        }
        stopped.countDown();
    }
}

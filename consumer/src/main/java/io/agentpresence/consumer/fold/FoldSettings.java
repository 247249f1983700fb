package io.agentpresence.consumer.fold;

import io.agentpresence.consumer.config.ConfigException;
import io.agentpresence.consumer.config.ConfigKey;
import io.agentpresence.consumer.config.PresenceConsumerConfig;
import io.agentpresence.model.PresenceEventCodec;
import io.agentpresence.model.PresenceStatuses;
import io.agentpresence.model.PresenceTopics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import java.util.Set;

/**
 * The fold's settings: its keys are declared here, handed to {@link PresenceConsumerConfig} by whoever loads it
 * ({@link #KEYS}), and checked here when the fold starts, together with what only folding needs: every status in
 * the precedence must be an accepted status, and {@code offline}, which the fold emits, must be one too.
 */
public record FoldSettings(String deviceTopic, String presenceTopic, String deadLetterTopic, Duration ttl,
                           Duration sweepInterval, Precedence precedence, boolean forwardHeartbeats,
                           Duration userRetention, int maxDevices, String applicationId, Path stateDir,
                           PresenceEventCodec codec) {

    public static final ConfigKey DEVICE_TOPIC = ConfigKey.optional("device.topic", PresenceTopics.DEFAULT_DEVICE_TOPIC,
            "topic of device-level presence events that fold reads, keyed by userId");
    public static final ConfigKey DEVICE_TTL = ConfigKey.optional("device.ttl", "90s",
            "fold expires a device after this long without an event or heartbeat from it");
    public static final ConfigKey SWEEP_INTERVAL = ConfigKey.optional("fold.sweep.interval", "5s",
            "how often fold looks for expired devices (wall clock); shorter than device.ttl");
    public static final ConfigKey PRECEDENCE = ConfigKey.optional("fold.precedence", "online,busy,away",
            "device statuses best first; fold shows a user the best status of their live devices");
    public static final ConfigKey APPLICATION_ID = ConfigKey.optional("fold.application.id",
            "agent-presence-fold", "Kafka Streams application id of fold: its group and the prefix of its internal topics");
    public static final ConfigKey STATE_DIR = ConfigKey.optional("fold.state.dir", "fold-state",
            "directory of fold's local state, relative to the working directory unless absolute");
    public static final ConfigKey FORWARD_HEARTBEATS = ConfigKey.optional("fold.forward.heartbeats", "true",
            "fold forwards user-level heartbeats that raise a user's last seen time to the presence topic");
    public static final ConfigKey USER_RETENTION = ConfigKey.optional("fold.user.retention", "24h",
            "fold forgets a user without devices this long after the user's last record, deletion time included");
    public static final ConfigKey MAX_DEVICES = ConfigKey.optional("fold.max.devices", "100",
            "devices fold keeps per user; a new one evicts the one heard from least recently");
    /**
     * A stored device takes at most about 500 bytes (a 64-character name, a 32-character status, two times): this
     * many stay well under the 1 MiB record limit of the changelog topic, which a larger user would crash-loop on.
     */
    static final int MAX_DEVICES_LIMIT = 1_000;

    /** The fold's keys, to hand to {@link PresenceConsumerConfig#load} by every command that shares its settings. */
    public static final List<ConfigKey> KEYS = List.of(DEVICE_TOPIC, DEVICE_TTL, SWEEP_INTERVAL, PRECEDENCE,
            APPLICATION_ID, STATE_DIR, FORWARD_HEARTBEATS, USER_RETENTION, MAX_DEVICES);

    /**
     * Every key the fold reads, its own and those it shares with the consumer: what its start-up line shows.
     * The database, the group and the consumer's batching are not among them.
     */
    public static final List<ConfigKey> READS = Stream.concat(Stream.of(PresenceConsumerConfig.BOOTSTRAP_SERVERS,
            PresenceConsumerConfig.TOPIC, PresenceConsumerConfig.DLQ_TOPIC, PresenceConsumerConfig.DLQ_MAX_VALUE_BYTES,
            PresenceConsumerConfig.STATUSES, PresenceConsumerConfig.MAX_FUTURE_SKEW,
            PresenceConsumerConfig.MAX_VALUE_BYTES, PresenceConsumerConfig.TOPICS_ON_START,
            PresenceConsumerConfig.TOPIC_PARTITIONS, PresenceConsumerConfig.TOPIC_REPLICATION_FACTOR,
            PresenceConsumerConfig.INSTANCES, PresenceConsumerConfig.HTTP_PORT,
            PresenceConsumerConfig.HTTP_BIND_ADDRESS), KEYS.stream()).toList();

    /** Checks the fold's keys in {@code config}, which must have been loaded with {@link #KEYS}. */
    public static FoldSettings from(PresenceConsumerConfig config) {
        String deviceTopic = config.topicName(DEVICE_TOPIC);
        if (deviceTopic.equals(config.topic()) || deviceTopic.equals(config.dlqTopic())
                || config.rawTopic().filter(deviceTopic::equals).isPresent()) {
            throw ConfigException.invalid(DEVICE_TOPIC, deviceTopic, "must differ from "
                    + PresenceConsumerConfig.TOPIC.display() + ", " + PresenceConsumerConfig.DLQ_TOPIC.display()
                    + " and " + PresenceConsumerConfig.RAW_TOPIC.display());
        }
        Duration ttl = config.duration(DEVICE_TTL, Duration.ofSeconds(1));
        Duration sweepInterval = config.duration(SWEEP_INTERVAL, Duration.ofMillis(10));
        if (sweepInterval.compareTo(ttl) >= 0) {
            throw ConfigException.invalid(SWEEP_INTERVAL, config.get(SWEEP_INTERVAL), "must be shorter than "
                    + DEVICE_TTL.display() + " = " + config.get(DEVICE_TTL));
        }
        // a deletion must be remembered at least as long as a device's offline status is
        Duration userRetention = config.duration(USER_RETENTION, ttl);
        String applicationId = config.get(APPLICATION_ID);
        // it prefixes the names of the fold's internal topics, so it must make valid ones
        if (!PresenceConsumerConfig.TOPIC_NAME.matcher(applicationId + "-fold-expiry-changelog").matches()) {
            throw ConfigException.invalid(APPLICATION_ID, applicationId,
                    "1-227 of [a-zA-Z0-9._-], as it starts the fold's topic names");
        }
        // with the order stage, the fold publishes like any publisher: to the raw topic, so the stage passes on its
        // statements only when they are newer
        return new FoldSettings(deviceTopic, config.rawTopic().orElse(config.topic()), config.dlqTopic(), ttl,
                sweepInterval, new Precedence(precedence(config)), config.bool(FORWARD_HEARTBEATS), userRetention,
                config.integer(MAX_DEVICES, 1, MAX_DEVICES_LIMIT), applicationId,
                config.path(STATE_DIR), config.codec());
    }

    /** Distinct accepted statuses, best first; {@code offline} must be accepted, and is not ranked. */
    private static List<String> precedence(PresenceConsumerConfig config) {
        PresenceStatuses statuses = config.statuses();
        if (!statuses.contains(PresenceStatuses.OFFLINE)) {
            throw new ConfigException(PresenceConsumerConfig.STATUSES.display() + ": '" + PresenceStatuses.OFFLINE
                    + "' must be an accepted status to fold devices: it is what a user without live devices is");
        }
        String value = config.get(PRECEDENCE);
        List<String> order = List.of(value.split(",", -1)).stream().map(String::strip).toList();
        if (order.stream().anyMatch(String::isEmpty) || order.size() != Set.copyOf(order).size()) {
            throw ConfigException.invalid(PRECEDENCE, value, "expected distinct statuses, best first, such as"
                    + " online,busy,away");
        }
        if (order.contains(PresenceStatuses.OFFLINE)) {
            throw ConfigException.invalid(PRECEDENCE, value, "'" + PresenceStatuses.OFFLINE
                    + "' ends a device instead of ranking it, so it cannot be listed");
        }
        for (String status : order) {
            if (!statuses.contains(status)) {
                throw new ConfigException(PRECEDENCE.display() + ": '" + status + "' is not one of the accepted statuses "
                        + statuses + " (" + PresenceConsumerConfig.STATUSES.display() + ")");
            }
        }
        return order;
    }
}

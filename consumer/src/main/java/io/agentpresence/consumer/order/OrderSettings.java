package io.agentpresence.consumer.order;

import io.agentpresence.consumer.config.ConfigException;
import io.agentpresence.consumer.config.ConfigKey;
import io.agentpresence.consumer.config.PresenceConsumerConfig;
import io.agentpresence.model.PresenceEventCodec;
import java.nio.file.Path;
import java.util.List;

/**
 * The order stage's settings: its own keys are declared here and handed to {@link PresenceConsumerConfig} by
 * whoever loads it ({@link #KEYS}); the raw topic it reads is a key of the configuration itself
 * ({@link PresenceConsumerConfig#RAW_TOPIC}), since the fold, {@code topics} and {@code run} need it too.
 */
public record OrderSettings(String rawTopic, String presenceTopic, String deadLetterTopic, String applicationId,
                            Path stateDir, PresenceEventCodec codec) {

    public static final ConfigKey APPLICATION_ID = ConfigKey.optional("order.application.id",
            "agent-presence-order",
            "Kafka Streams application id of the order stage: its group and the prefix of its internal topics");
    public static final ConfigKey STATE_DIR = ConfigKey.optional("order.state.dir", "order-state",
            "directory of the order stage's local state, relative to the working directory unless absolute");

    /** The stage's keys, to hand to {@link PresenceConsumerConfig#load} by every command that shares its settings. */
    public static final List<ConfigKey> KEYS = List.of(APPLICATION_ID, STATE_DIR);

    /** Checks the stage's keys in {@code config}, which must have been loaded with {@link #KEYS}. */
    public static OrderSettings from(PresenceConsumerConfig config) {
        String rawTopic = config.rawTopic().orElseThrow(() -> new ConfigException(
                PresenceConsumerConfig.RAW_TOPIC.display() + ": required by the order stage ("
                        + PresenceConsumerConfig.RAW_TOPIC.doc() + ")"));
        String applicationId = config.get(APPLICATION_ID);
        // it prefixes the names of the stage's internal topics, so it must make valid ones
        if (!PresenceConsumerConfig.TOPIC_NAME.matcher(applicationId + "-" + OrderTopology.USERS + "-changelog")
                .matches()) {
            throw ConfigException.invalid(APPLICATION_ID, applicationId,
                    "1-227 of [a-zA-Z0-9._-], as it starts the order stage's topic names");
        }
        return new OrderSettings(rawTopic, config.topic(), config.dlqTopic(), applicationId, config.path(STATE_DIR),
                config.codec());
    }

    /** True when {@code config} names a raw topic, so {@code run} starts the stage beside the consumer. */
    public static boolean enabled(PresenceConsumerConfig config) {
        return config.rawTopic().isPresent();
    }
}

package io.agentpresence.consumer.fold;

import io.agentpresence.consumer.config.ConfigException;
import io.agentpresence.consumer.config.PresenceConsumerConfig;
import io.agentpresence.model.PresenceEventCodec;
import io.agentpresence.model.PresenceStatuses;
import java.time.Duration;

/**
 * What the fold topology needs from the configuration, with the checks only folding makes: every status in the
 * precedence must be an accepted status, and {@code offline}, which the fold emits, must be one too.
 */
public record FoldSettings(String deviceTopic, String presenceTopic, String deadLetterTopic, Duration ttl,
                           Duration sweepInterval, Precedence precedence, boolean forwardHeartbeats,
                           PresenceEventCodec codec, Duration maxFutureSkew) {

    public static FoldSettings from(PresenceConsumerConfig config) {
        PresenceStatuses statuses = config.statuses();
        if (!statuses.contains(PresenceStatuses.OFFLINE)) {
            throw new ConfigException(PresenceConsumerConfig.STATUSES.display() + ": '" + PresenceStatuses.OFFLINE
                    + "' must be an accepted status to fold devices: it is what a user without live devices is");
        }
        for (String status : config.foldPrecedence()) {
            if (!statuses.contains(status)) {
                throw new ConfigException(PresenceConsumerConfig.FOLD_PRECEDENCE.display() + ": '" + status
                        + "' is not one of the accepted statuses " + statuses + " ("
                        + PresenceConsumerConfig.STATUSES.display() + ")");
            }
        }
        return new FoldSettings(config.deviceTopic(), config.topic(), config.dlqTopic(), config.deviceTtl(),
                config.foldSweepInterval(), new Precedence(config.foldPrecedence()), config.foldForwardHeartbeats(),
                config.codec(), config.maxFutureSkew());
    }
}

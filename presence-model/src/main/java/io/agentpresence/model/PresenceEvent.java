package io.agentpresence.model;

import java.util.Objects;

/**
 * One presence update: {@code userId} is now {@code status} as of event time {@code ts} (epoch milliseconds).
 * {@code source} names the publisher and may be null. Validation lives in {@link PresenceEventCodec}.
 */
public record PresenceEvent(String userId, String status, long ts, String source) {

    public PresenceEvent {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(status, "status");
    }

    /** An event stamped with the current wall-clock time. */
    public static PresenceEvent now(String userId, String status, String source) {
        return new PresenceEvent(userId, status, System.currentTimeMillis(), source);
    }
}

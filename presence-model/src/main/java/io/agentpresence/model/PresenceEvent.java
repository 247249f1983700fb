package io.agentpresence.model;

import java.util.Objects;

/**
 * One presence event about {@code userId} at event time {@code ts} (epoch milliseconds). A {@link Kind#STATUS
 * status} event says the user is now {@code status}; a {@link Kind#HEARTBEAT heartbeat} says only "still here"
 * and carries no status. {@code source} names the publisher and {@code device} the user's device or connection;
 * both may be null (no device means the one implicit device of a v1 publisher). Validation lives in
 * {@link PresenceEventCodec}.
 */
public record PresenceEvent(Kind kind, String userId, String status, long ts, String source, String device) {

    /** What an event says; the wire name is the value of the {@code kind} field. */
    public enum Kind {
        STATUS("status"),
        HEARTBEAT("heartbeat");

        private final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        /** The kind a wire name stands for, or null when it names none. */
        public static Kind fromWireName(String name) {
            for (Kind kind : values()) {
                if (kind.wireName.equals(name)) {
                    return kind;
                }
            }
            return null;
        }
    }

    public PresenceEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(userId, "userId");
        if (kind == Kind.STATUS) {
            Objects.requireNonNull(status, "status");
        }
    }

    /** A status event without a device, as in contract v1. */
    public PresenceEvent(String userId, String status, long ts, String source) {
        this(Kind.STATUS, userId, status, ts, source, null);
    }

    /** A status event stamped with the current wall-clock time. */
    public static PresenceEvent now(String userId, String status, String source) {
        return new PresenceEvent(userId, status, System.currentTimeMillis(), source);
    }

    /** A heartbeat: {@code userId}'s {@code device} (may be null) was still there at {@code ts}. */
    public static PresenceEvent heartbeat(String userId, long ts, String source, String device) {
        return new PresenceEvent(Kind.HEARTBEAT, userId, null, ts, source, device);
    }

    /** A heartbeat that confirms {@code status}: the user was still there, and still {@code status}, at {@code ts}. */
    public static PresenceEvent heartbeat(String userId, String status, long ts, String source) {
        return new PresenceEvent(Kind.HEARTBEAT, userId, Objects.requireNonNull(status, "status"), ts, source, null);
    }

    /** This event, said by {@code device}. */
    public PresenceEvent withDevice(String device) {
        return new PresenceEvent(kind, userId, status, ts, source, device);
    }

    public boolean isHeartbeat() {
        return kind == Kind.HEARTBEAT;
    }
}

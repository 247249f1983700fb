package io.agentpresence.consumer.sink;

import io.agentpresence.model.PresenceEvent;
import java.util.Objects;

/**
 * What one valid record asks of the table: set a user's status as of {@code ts}, delete the user's row as of
 * {@code ts}, or (a heartbeat) note that the user was still there at {@code ts}, which may confirm the status
 * the user then had: the row is created from it when the user has none. {@code sequence} orders
 * records within a batch: on equal {@code ts} the later record wins. {@code seen} is the newest event time seen
 * for the user, which the row keeps as {@code last_seen}: a record's own {@code ts}, or {@link #UNSEEN} for a
 * deletion; once a batch is reduced ({@link PresenceBuffer}), the newest over the user's status events and
 * heartbeats in the batch.
 */
public record PresenceChange(Kind kind, String userId, String status, long ts, String source, long sequence,
                             long seen) {

    /** The {@link #seen} of a change that saw no status event or heartbeat: a deletion alone. */
    public static final long UNSEEN = -1;

    /** What a change does to the user's row. */
    public enum Kind {
        /** Sets the status, guarded by event time. */
        STATUS,
        /** Deletes the row, guarded by event time. */
        DELETE,
        /** Changes no status: the user was still there; with a status, creates the row if there is none. */
        HEARTBEAT
    }

    public PresenceChange {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(userId, "userId");
        if (kind == Kind.STATUS && status == null) {
            throw new IllegalArgumentException("a STATUS change needs a status");
        }
        if (kind == Kind.DELETE && status != null) {
            throw new IllegalArgumentException("a DELETE change carries no status");
        }
        if (kind != Kind.DELETE && seen < ts) {
            throw new IllegalArgumentException("seen " + seen + " is older than the change's own ts " + ts);
        }
    }

    /** A status change, as a status event asks for it. */
    public PresenceChange(String userId, String status, long ts, String source, long sequence) {
        this(Kind.STATUS, userId, Objects.requireNonNull(status, "status"), ts, source, sequence, ts);
    }

    /** The change a decoded event asks for: its status, or a heartbeat with the status it confirms, if any. */
    public static PresenceChange of(PresenceEvent event, long sequence) {
        if (event.isHeartbeat()) {
            return heartbeat(event.userId(), event.status(), event.ts(), event.source(), sequence);
        }
        return new PresenceChange(event.userId(), event.status(), event.ts(), event.source(), sequence);
    }

    public static PresenceChange delete(String userId, long ts, long sequence) {
        // a deletion says nothing about when the user was last there
        return new PresenceChange(Kind.DELETE, userId, null, ts, null, sequence, UNSEEN);
    }

    /** A bare heartbeat: it raises last_seen of an existing row and never creates one. */
    public static PresenceChange heartbeat(String userId, long ts, long sequence) {
        return heartbeat(userId, null, ts, null, sequence);
    }

    /** A heartbeat confirming {@code status}, or a bare one when {@code status} is null. */
    public static PresenceChange heartbeat(String userId, String status, long ts, String source, long sequence) {
        return new PresenceChange(Kind.HEARTBEAT, userId, status, ts, source, sequence, ts);
    }

    public boolean isDelete() {
        return kind == Kind.DELETE;
    }

    public boolean isHeartbeat() {
        return kind == Kind.HEARTBEAT;
    }

    /** True for a heartbeat that carries the status it confirms: it creates the user's row when there is none. */
    public boolean confirmsStatus() {
        return kind == Kind.HEARTBEAT && status != null;
    }

    /** This change, with the newest event time seen for the user in its batch. */
    public PresenceChange withSeen(long newest) {
        return new PresenceChange(kind, userId, status, ts, source, sequence, newest);
    }

    /**
     * True when the user was seen later than this change's status (or deletion) takes effect, so last_seen must
     * be raised beyond it: a heartbeat, or a change whose batch held a newer heartbeat of the user.
     */
    public boolean seenAfterChange() {
        return kind == Kind.HEARTBEAT || seen > ts;
    }

    /** True when this change should replace {@code other} for the same user: newer ts, or equal ts and later. */
    public boolean supersedes(PresenceChange other) {
        return ts > other.ts || (ts == other.ts && sequence > other.sequence);
    }
}

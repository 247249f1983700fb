package io.agentpresence.consumer.sink;

import io.agentpresence.model.PresenceEvent;

/**
 * What one valid record asks of the table: set a user's status as of {@code ts}, or (when {@code status} is
 * null) delete the user's row as of {@code ts}. {@code sequence} orders records within a batch: on equal
 * {@code ts} the later record wins.
 */
public record PresenceChange(String userId, String status, long ts, String source, long sequence) {

    public static PresenceChange upsert(PresenceEvent event, long sequence) {
        return new PresenceChange(event.userId(), event.status(), event.ts(), event.source(), sequence);
    }

    public static PresenceChange delete(String userId, long ts, long sequence) {
        return new PresenceChange(userId, null, ts, null, sequence);
    }

    public boolean isDelete() {
        return status == null;
    }

    /** True when this change should replace {@code other} for the same user: newer ts, or equal ts and later. */
    public boolean supersedes(PresenceChange other) {
        return ts > other.ts || (ts == other.ts && sequence > other.sequence);
    }
}

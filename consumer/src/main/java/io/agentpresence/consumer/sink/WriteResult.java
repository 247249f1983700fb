package io.agentpresence.consumer.sink;

/**
 * What one batch did to the table: rows inserted (by a status event, or by a heartbeat that confirms a status
 * for a user without a row), rows updated (a status change applied), status changes that changed no status
 * (older than the row, or the same event again), rows deleted, and rows whose only change was a raised
 * last_seen (a heartbeat, or a status change too old to apply with a newer heartbeat in its batch).
 */
public record WriteResult(long inserted, long updated, long unchanged, long deleted, long seen) {

    public static final WriteResult NONE = new WriteResult(0, 0, 0, 0, 0);

    WriteResult plus(WriteResult other) {
        return new WriteResult(inserted + other.inserted, updated + other.updated, unchanged + other.unchanged,
                deleted + other.deleted, seen + other.seen);
    }
}

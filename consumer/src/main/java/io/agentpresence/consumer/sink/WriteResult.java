package io.agentpresence.consumer.sink;

/**
 * What one batch did to the table: rows inserted, rows updated, upserts that changed nothing (older than the
 * row, or the same event again), and rows deleted.
 */
public record WriteResult(long inserted, long updated, long unchanged, long deleted) {

    public static final WriteResult NONE = new WriteResult(0, 0, 0, 0);

    WriteResult plus(WriteResult other) {
        return new WriteResult(inserted + other.inserted, updated + other.updated, unchanged + other.unchanged,
                deleted + other.deleted);
    }
}

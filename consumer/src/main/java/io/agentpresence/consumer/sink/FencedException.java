package io.agentpresence.consumer.sink;

/**
 * The database holds a different position for a partition than this writer expected: another instance took
 * the partition over and wrote, or the database was restored from a backup. Nothing was written; the caller
 * must re-read the stored positions and continue from there.
 */
public final class FencedException extends Exception {

    private static final long serialVersionUID = 1L;

    public FencedException(String message) {
        super(message);
    }
}

package io.agentpresence.consumer.recovery;

/**
 * The rebuild gave up because it could not finish within its lock budget; it dropped its shadow table and left
 * the live table as it was, so it can simply be run again later.
 */
public final class RebuildAbandonedException extends Exception {

    public RebuildAbandonedException(String message) {
        super(message);
    }
}

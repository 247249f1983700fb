package io.agentpresence.consumer.recovery;

/**
 * The rebuild gave up because it could not finish within its lock budget; it dropped its shadow tables and left
 * the live table and deletion ledger as they were, so it can simply be run again later.
 */
public final class RebuildAbandonedException extends Exception {

    public RebuildAbandonedException(String message) {
        super(message);
    }
}

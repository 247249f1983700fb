package io.agentpresence.consumer.engine;

/**
 * Stored positions that cannot be used in the topic as it is now (recreated, truncated, fewer partitions): going
 * on would skip records silently or wait for ones that never come, so the reader stops and the message says what
 * to do.
 */
public final class PositionException extends RuntimeException {

    public PositionException(String message) {
        super(message);
    }
}

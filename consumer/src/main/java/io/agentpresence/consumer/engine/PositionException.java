package io.agentpresence.consumer.engine;

/**
 * Stored positions that cannot be used in the topic as it is now (recreated, truncated, fewer partitions): going
 * on would skip or re-read records silently, so the consumer stops and the message says what to do.
 */
public final class PositionException extends RuntimeException {

    public PositionException(String message) {
        super(message);
    }
}

package io.agentpresence.consumer.error;

/**
 * The dead-letter topic refused a record for good (too large even without its value, an invalid topic, a
 * serialization error): retrying cannot help and skipping would lose it, so the consumer stops and says what to fix.
 */
public final class DeadLetterRefusedException extends Exception {

    private static final long serialVersionUID = 1L;

    public DeadLetterRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}

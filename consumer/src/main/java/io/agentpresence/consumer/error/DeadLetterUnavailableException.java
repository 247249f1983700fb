package io.agentpresence.consumer.error;

/**
 * The dead-letter topic did not acknowledge a record in time, or failed in a way that passes (broker down, too few
 * in-sync replicas). The batch is kept and retried: a record that cannot be dead-lettered is never skipped, so the
 * partition stops advancing until the topic takes it. A topic that refuses for good throws
 * {@link DeadLetterRefusedException} instead.
 */
public final class DeadLetterUnavailableException extends Exception {

    private static final long serialVersionUID = 1L;

    public DeadLetterUnavailableException(Throwable cause) {
        super("the dead-letter topic did not acknowledge: " + cause.getMessage(), cause);
    }
}

package io.agentpresence.cli;

/**
 * The broker could not be reached or did not acknowledge in time. The CLI reports the message as one line and
 * exits with {@link PresenceCli#EXIT_FAILED}; the cause is shown only with {@code --verbose}.
 */
public final class PublishFailedException extends Exception {

    private static final long serialVersionUID = 1L;

    public PublishFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}

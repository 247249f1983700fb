package io.agentpresence.localstack;

/** The stack cannot start for a reason the user can fix; the message says what and how, no stack trace needed. */
public final class StackException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StackException(String message) {
        super(message);
    }

    public StackException(String message, Throwable cause) {
        super(message, cause);
    }
}

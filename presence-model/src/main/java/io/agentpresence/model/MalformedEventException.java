package io.agentpresence.model;

/** A record that is not a valid presence event; {@link #rejection()} says why in a stable code. */
public final class MalformedEventException extends Exception {

    private static final long serialVersionUID = 1L;

    private final Rejection rejection;

    public MalformedEventException(Rejection rejection, String message) {
        super(message);
        this.rejection = rejection;
    }

    public MalformedEventException(Rejection rejection, String message, Throwable cause) {
        super(message, cause);
        this.rejection = rejection;
    }

    public Rejection rejection() {
        return rejection;
    }

    @Override
    public String getMessage() {
        return rejection.code() + ": " + super.getMessage();
    }
}

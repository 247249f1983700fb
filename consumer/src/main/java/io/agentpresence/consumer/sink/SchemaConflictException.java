package io.agentpresence.consumer.sink;

/**
 * The database holds something the consumer's migrations would collide with (a table of the same name that the
 * consumer did not create, an adoption left half done), so nothing was migrated; the message says what to do.
 */
public final class SchemaConflictException extends IllegalStateException {

    public SchemaConflictException(String message) {
        super(message);
    }
}

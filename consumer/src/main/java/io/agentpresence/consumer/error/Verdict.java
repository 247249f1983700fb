package io.agentpresence.consumer.error;

/** What to do about a failure. */
public enum Verdict {
    /** The infrastructure failed (database down, deadlock, timeout): keep the batch and try again later. */
    RETRY,
    /** The record's content cannot be applied: send it to the dead-letter topic and move on. */
    DEAD_LETTER,
    /** Retrying cannot help and the data is not at fault (bad credentials, missing table, a bug): stop. */
    FATAL
}

package io.agentpresence.consumer.order;

/**
 * What the order stage remembers of one user: the last statement it wrote to the presence topic, which is the
 * user's row there (null when there is none), and the newest deletion it read ({@link #NO_DELETION} when none).
 * The row's {@code last_seen} is the statement's {@code ts}: a bare heartbeat that raises it is written as a
 * statement of its own ({@link OrderRule#heartbeat}), so no separate time is needed.
 */
record UserOrder(Statement statement, long deletedTs) {

    static final long NO_DELETION = -1;
    static final UserOrder NONE = new UserOrder(null, NO_DELETION);

    /** A status at {@code ts} from {@code source} (may be null), as the rule orders it. */
    record Statement(long ts, String status, String source) {
    }

    boolean hasStatement() {
        return statement != null;
    }

    boolean hasDeletion() {
        return deletedTs != NO_DELETION;
    }
}

package io.agentpresence.consumer.sink;

import io.agentpresence.model.PresenceEvent;
import java.util.Objects;

/**
 * What one valid record asks of the table, under the rule of {@link io.agentpresence.consumer.sink.StatementOrder}: a
 * statement (a status event, or a heartbeat that carries the status it confirms) sets the user's row when it wins,
 * a deletion removes the row as of {@code ts}, and a bare heartbeat notes that the user was still there at
 * {@code ts}, raising last_seen of the row it finds. {@code sequence} is the record's place in its batch, for finding
 * it again. {@code step} orders the writer's work within one transaction (see {@link #step()}).
 */
public record PresenceChange(Kind kind, String userId, String status, long ts, String source, long sequence,
                             int step) {

    /** What a change does to the user's row. */
    public enum Kind {
        /** Sets the status when it wins over the row's. */
        STATUS,
        /** Deletes the row unless it holds a newer statement, and is remembered. */
        DELETE,
        /** The user was still there; with a status, a statement like {@link #STATUS}. */
        HEARTBEAT
    }

    /** Phases of one round of a write, in the order the writer runs them (see {@link #step()}). */
    public static final int SEEN_BEFORE = 0;
    public static final int STATEMENT = 1;
    public static final int DELETION = 2;
    public static final int SEEN_AFTER = 3;
    private static final int PHASES = 4;

    public PresenceChange {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(userId, "userId");
        if (kind == Kind.STATUS && status == null) {
            throw new IllegalArgumentException("a STATUS change needs a status");
        }
        if (kind == Kind.DELETE && status != null) {
            throw new IllegalArgumentException("a DELETE change carries no status");
        }
        if (step < 0) {
            throw new IllegalArgumentException("negative step " + step);
        }
    }

    /** A status change, as a status event asks for it. */
    public PresenceChange(String userId, String status, long ts, String source, long sequence) {
        this(Kind.STATUS, userId, Objects.requireNonNull(status, "status"), ts, source, sequence, STATEMENT);
    }

    /** The change a decoded event asks for: its status, or a heartbeat with the status it confirms, if any. */
    public static PresenceChange of(PresenceEvent event, long sequence) {
        if (event.isHeartbeat()) {
            return heartbeat(event.userId(), event.status(), event.ts(), event.source(), sequence);
        }
        return new PresenceChange(event.userId(), event.status(), event.ts(), event.source(), sequence);
    }

    public static PresenceChange delete(String userId, long ts, long sequence) {
        return new PresenceChange(Kind.DELETE, userId, null, ts, null, sequence, DELETION);
    }

    /** A bare heartbeat: it raises last_seen of an existing row and never creates one. */
    public static PresenceChange heartbeat(String userId, long ts, long sequence) {
        return heartbeat(userId, null, ts, null, sequence);
    }

    /** A heartbeat confirming {@code status}, or a bare one when {@code status} is null. */
    public static PresenceChange heartbeat(String userId, String status, long ts, String source, long sequence) {
        return new PresenceChange(Kind.HEARTBEAT, userId, status, ts, source, sequence,
                status == null ? SEEN_BEFORE : STATEMENT);
    }

    public boolean isDelete() {
        return kind == Kind.DELETE;
    }

    public boolean isHeartbeat() {
        return kind == Kind.HEARTBEAT;
    }

    /** True for a heartbeat that carries the status it confirms. */
    public boolean confirmsStatus() {
        return kind == Kind.HEARTBEAT && status != null;
    }

    /** A status event or a heartbeat that carries a status: it competes for the row under the rule. */
    public boolean isStatement() {
        return kind == Kind.STATUS || confirmsStatus();
    }

    /** A heartbeat without a status: it only raises last_seen of a row it finds. */
    public boolean isBareHeartbeat() {
        return kind == Kind.HEARTBEAT && status == null;
    }

    /**
     * Where the change falls in its write: {@code round * 4 + phase}. Within a round the writer raises last_seen
     * for bare heartbeats that came before the user's statements ({@link #SEEN_BEFORE}), writes the statements
     * ({@link #STATEMENT}), the deletions ({@link #DELETION}), then raises last_seen for bare heartbeats that came
     * after them ({@link #SEEN_AFTER}). A user whose records do not fit that order in one round goes on in the next.
     * A change not from a {@link PresenceBuffer} is in round 0.
     */
    @Override
    public int step() {
        return step;
    }

    public int phase() {
        return step % PHASES;
    }

    /** This change at {@code phase} of {@code round}. */
    PresenceChange at(int round, int phase) {
        int at = round * PHASES + phase;
        // most changes are already where they fall (a statement of round 0): no copy then
        return at == step ? this : new PresenceChange(kind, userId, status, ts, source, sequence, at);
    }
}

package io.agentpresence.consumer.rule;

import io.agentpresence.consumer.sink.PresenceChange;
import io.agentpresence.consumer.sink.StatementOrder;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The table the rule ({@link StatementOrder}) gives for a stream of events, computed in memory: what {@code verify}
 * compares the database with, and the reference the property tests hold every write path to.
 *
 * <p>Statements and deletions are commutative: whatever their order, a user's row is the winning statement among
 * those newer than the user's newest deletion, and there is no row when there is none. {@code last_seen} is the
 * newest {@code ts} among those statements, raised by every bare heartbeat that finds the row in place when it
 * arrives (a bare heartbeat is not remembered for a user who has no row yet; this is the one thing arrival order
 * decides).
 */
public final class ExpectedTable {

    /** One expected row. {@code updated_at} is the time of the write, which no rule can predict. */
    public record Row(String userId, String status, long eventTs, long lastSeen, String source) {
    }

    private final Map<String, Row> rows = new HashMap<>();
    private final Map<String, Long> deletions = new HashMap<>();

    /** Applies one change, in the order it arrived. */
    public void apply(PresenceChange change) {
        switch (change.kind()) {
            case DELETE -> delete(change.userId(), change.ts());
            case STATUS -> state(change);
            case HEARTBEAT -> {
                if (change.confirmsStatus()) {
                    state(change);
                } else {
                    seen(change.userId(), change.ts());
                }
            }
        }
    }

    private void state(PresenceChange statement) {
        Long deleted = deletions.get(statement.userId());
        if (deleted != null && StatementOrder.deletionWins(deleted, statement.ts())) {
            return;
        }
        Row row = rows.get(statement.userId());
        if (row == null) {
            rows.put(statement.userId(), new Row(statement.userId(), statement.status(), statement.ts(),
                    statement.ts(), statement.source()));
        } else if (StatementOrder.compare(statement.ts(), statement.status(), statement.source(), row.eventTs(),
                row.status(), row.source()) >= 0) {
            rows.put(statement.userId(), new Row(statement.userId(), statement.status(), statement.ts(),
                    Math.max(row.lastSeen(), statement.ts()), statement.source()));
        }
        // a losing statement is older than the row's, and last_seen is never older than that: nothing to raise
    }

    private void delete(String userId, long ts) {
        deletions.merge(userId, ts, Math::max);
        Row row = rows.get(userId);
        if (row != null && StatementOrder.deletionWins(ts, row.eventTs())) {
            rows.remove(userId);
        }
    }

    private void seen(String userId, long ts) {
        Row row = rows.get(userId);
        if (row != null && ts > row.lastSeen()) {
            rows.put(userId, new Row(userId, row.status(), row.eventTs(), ts, row.source()));
        }
    }

    public Optional<Row> row(String userId) {
        return Optional.ofNullable(rows.get(userId));
    }

    /** Every expected row, by userId. */
    public Map<String, Row> rows() {
        return Collections.unmodifiableMap(new TreeMap<>(rows));
    }

    /** The newest deletion of each user that had one. */
    public Map<String, Long> deletions() {
        return Collections.unmodifiableMap(new TreeMap<>(deletions));
    }
}

package io.agentpresence.consumer.sink;

import java.util.Collections;

/**
 * The SQL text of every statement the writer runs, per dialect. The update assignments are evaluated left to
 * right and each sees the columns already changed, so {@code event_ts}, which the guard reads, comes last.
 */
public final class PresenceUpsert {

    public static final String TABLE = "agent_presences";
    public static final String TOMBSTONES = "agent_presence_tombstones";

    private final String table;
    /** Everything after the VALUES list. */
    private final String upsertTail;
    private final String recordTombstone;

    public PresenceUpsert(SqlDialect dialect) {
        this(dialect, TABLE);
    }

    /** Statements against another table of the same shape, e.g. the shadow table of a rebuild. */
    public PresenceUpsert(SqlDialect dialect, String table) {
        this.table = table;
        this.upsertTail = dialect == SqlDialect.MYSQL_ROW_ALIAS ? rowAliasUpsert(table) : valuesUpsert(table);
        this.recordTombstone = dialect == SqlDialect.MYSQL_ROW_ALIAS
                ? "INSERT INTO " + TOMBSTONES + " (user_id, deleted_ts) VALUES (?, ?) AS new"
                        + " ON DUPLICATE KEY UPDATE deleted_ts = GREATEST(" + TOMBSTONES + ".deleted_ts, new.deleted_ts)"
                : "INSERT INTO " + TOMBSTONES + " (user_id, deleted_ts) VALUES (?, ?)"
                        + " ON DUPLICATE KEY UPDATE deleted_ts = GREATEST(deleted_ts, VALUES(deleted_ts))";
    }

    private static final String ROW = "(?, ?, ?, ?, CURRENT_TIMESTAMP(3))";

    private static String valuesUpsert(String table) {
        String newer = "VALUES(event_ts) >= event_ts";
        return " ON DUPLICATE KEY UPDATE"
                + " status = IF(" + newer + ", VALUES(status), status),"
                + " source = IF(" + newer + ", VALUES(source), source),"
                + " updated_at = IF(" + newer + ", VALUES(updated_at), updated_at),"
                + " event_ts = GREATEST(event_ts, VALUES(event_ts))";
    }

    private static String rowAliasUpsert(String table) {
        String newer = "new.event_ts >= " + table + ".event_ts";
        return " AS new ON DUPLICATE KEY UPDATE"
                + " status = IF(" + newer + ", new.status, " + table + ".status),"
                + " source = IF(" + newer + ", new.source, " + table + ".source),"
                + " updated_at = IF(" + newer + ", new.updated_at, " + table + ".updated_at),"
                + " event_ts = GREATEST(" + table + ".event_ts, new.event_ts)";
    }

    /** Binds (user_id, status, event_ts, source); inserts, or updates only when the event is at least as new. */
    public String upsert() {
        return upsert(1);
    }

    /** The same for {@code rows} rows in one statement, binding four values per row. */
    public String upsert(int rows) {
        StringBuilder sql = new StringBuilder(80 + rows * (ROW.length() + 2) + upsertTail.length())
                .append("INSERT INTO ").append(table).append(" (user_id, status, event_ts, source, updated_at) VALUES ");
        for (int i = 0; i < rows; i++) {
            sql.append(i == 0 ? "" : ", ").append(ROW);
        }
        return sql.append(upsertTail).toString();
    }

    /** Binds (user_id, deleted_ts); remembers the newest deletion so a late older event cannot resurrect the row. */
    public String recordTombstone() {
        return recordTombstone;
    }

    /** Binds (user_id, ts); deletes the row unless it holds a newer event. */
    public String delete() {
        return "DELETE FROM " + table + " WHERE user_id = ? AND event_ts <= ?";
    }

    /** Returns a row when any deletion is recorded. */
    public String anyTombstone() {
        return "SELECT 1 FROM " + TOMBSTONES + " LIMIT 1";
    }

    /** Binds {@code count} user ids; removes rows just written from events older than a recorded deletion. */
    public String deleteResurrected(int count) {
        return "DELETE p FROM " + table + " p JOIN " + TOMBSTONES + " t ON t.user_id = p.user_id"
                + " WHERE p.event_ts < t.deleted_ts AND p.user_id IN ("
                + String.join(", ", Collections.nCopies(count, "?")) + ")";
    }
}

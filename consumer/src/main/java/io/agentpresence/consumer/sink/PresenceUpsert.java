package io.agentpresence.consumer.sink;

import java.util.Collections;

/**
 * The SQL text of every statement the writer runs, per dialect. The update assignments are evaluated left to
 * right and each sees the columns already changed, so {@code event_ts}, which the guard and {@code last_seen}
 * read, comes last. {@code last_seen} is raised whether or not the guard lets the status through; a NULL in it
 * (a row inserted by a consumer older than the column) counts as {@code event_ts}.
 */
public final class PresenceUpsert {

    public static final String TABLE = "agent_presences";
    public static final String TOMBSTONES = "agent_presence_tombstones";

    private final String table;
    private final String tombstones;
    /** Everything after the VALUES list. */
    private final String upsertTail;
    private final String insertIfAbsentTail;
    private final String recordTombstone;

    public PresenceUpsert(SqlDialect dialect) {
        this(dialect, TABLE);
    }

    /** Statements against another table of the same shape, e.g. the shadow table of a rebuild. */
    public PresenceUpsert(SqlDialect dialect, String table) {
        this(dialect, table, TOMBSTONES);
    }

    /** Statements against other tables of the same shapes: a rebuild's shadow table and its own deletion ledger. */
    public PresenceUpsert(SqlDialect dialect, String table, String tombstones) {
        this.table = table;
        this.tombstones = tombstones;
        this.upsertTail = dialect == SqlDialect.MYSQL_ROW_ALIAS ? rowAliasUpsert(table) : valuesUpsert(table);
        this.insertIfAbsentTail = dialect == SqlDialect.MYSQL_ROW_ALIAS
                ? " AS new ON DUPLICATE KEY UPDATE last_seen = GREATEST(COALESCE(" + table + ".last_seen, "
                        + table + ".event_ts), new.last_seen)"
                : " ON DUPLICATE KEY UPDATE last_seen = GREATEST(COALESCE(last_seen, event_ts), VALUES(last_seen))";
        this.recordTombstone = dialect == SqlDialect.MYSQL_ROW_ALIAS
                ? "INSERT INTO " + tombstones + " (user_id, deleted_ts) VALUES (?, ?) AS new"
                        + " ON DUPLICATE KEY UPDATE deleted_ts = GREATEST(" + tombstones + ".deleted_ts, new.deleted_ts)"
                : "INSERT INTO " + tombstones + " (user_id, deleted_ts) VALUES (?, ?)"
                        + " ON DUPLICATE KEY UPDATE deleted_ts = GREATEST(deleted_ts, VALUES(deleted_ts))";
    }

    private static final String ROW = "(?, ?, ?, ?, ?, CURRENT_TIMESTAMP(3))";

    private static String valuesUpsert(String table) {
        String newer = "VALUES(event_ts) >= event_ts";
        return " ON DUPLICATE KEY UPDATE"
                + " status = IF(" + newer + ", VALUES(status), status),"
                + " source = IF(" + newer + ", VALUES(source), source),"
                + " updated_at = IF(" + newer + ", VALUES(updated_at), updated_at),"
                + " last_seen = GREATEST(COALESCE(last_seen, event_ts), VALUES(last_seen)),"
                + " event_ts = GREATEST(event_ts, VALUES(event_ts))";
    }

    private static String rowAliasUpsert(String table) {
        String newer = "new.event_ts >= " + table + ".event_ts";
        return " AS new ON DUPLICATE KEY UPDATE"
                + " status = IF(" + newer + ", new.status, " + table + ".status),"
                + " source = IF(" + newer + ", new.source, " + table + ".source),"
                + " updated_at = IF(" + newer + ", new.updated_at, " + table + ".updated_at),"
                + " last_seen = GREATEST(COALESCE(" + table + ".last_seen, " + table + ".event_ts), new.last_seen),"
                + " event_ts = GREATEST(" + table + ".event_ts, new.event_ts)";
    }

    /**
     * Binds (user_id, status, event_ts, last_seen, source); inserts, or updates the status only when the event is
     * at least as new, and raises last_seen either way.
     */
    public String upsert() {
        return upsert(1);
    }

    /** The same for {@code rows} rows in one statement, binding five values per row. */
    public String upsert(int rows) {
        return insert(rows, upsertTail);
    }

    /**
     * For heartbeats that confirm a status: binds (user_id, status, event_ts, last_seen, source) per row, like
     * {@link #upsert(int)}. Inserts the row of a user who has none, as a status event would; of an existing row it
     * raises last_seen and changes nothing else.
     */
    public String insertIfAbsent(int rows) {
        return insert(rows, insertIfAbsentTail);
    }

    private String insert(int rows, String tail) {
        StringBuilder sql = new StringBuilder(80 + rows * (ROW.length() + 2) + tail.length())
                .append("INSERT INTO ").append(table)
                .append(" (user_id, status, event_ts, last_seen, source, updated_at) VALUES ");
        for (int i = 0; i < rows; i++) {
            sql.append(i == 0 ? "" : ", ").append(ROW);
        }
        return sql.append(tail).toString();
    }

    /**
     * Binds (user_id, seen, change_ts) per row, for {@code rows} rows; the same in both dialects. Raises last_seen
     * to seen on rows that exist (it never inserts one, so it cannot bring a deleted user back), and only on rows
     * holding a status newer than change_ts: the ts of the user's status change or deletion in the same batch,
     * which does not apply to those rows, or -1 when the batch has none. So every row it changes changes in
     * last_seen only. The derived table names the collation of the key, so 'Alice' never matches 'alice'.
     */
    public String raiseLastSeen(int rows) {
        StringBuilder sql = new StringBuilder(200 + rows * 30).append("UPDATE ").append(table)
                .append(" p JOIN (SELECT ? COLLATE utf8mb4_bin AS user_id, ? AS seen, ? AS change_ts");
        for (int i = 1; i < rows; i++) {
            sql.append(" UNION ALL SELECT ?, ?, ?");
        }
        return sql.append(") h ON p.user_id = h.user_id SET p.last_seen = h.seen")
                .append(" WHERE h.seen > COALESCE(p.last_seen, p.event_ts) AND p.event_ts > h.change_ts").toString();
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
        return "SELECT 1 FROM " + tombstones + " LIMIT 1";
    }

    /** Binds {@code count} user ids; removes rows just written from events older than a recorded deletion. */
    public String deleteResurrected(int count) {
        return "DELETE p FROM " + table + " p JOIN " + tombstones + " t ON t.user_id = p.user_id"
                + " WHERE p.event_ts < t.deleted_ts AND p.user_id IN ("
                + String.join(", ", Collections.nCopies(count, "?")) + ")";
    }
}

package io.agentpresence.consumer.sink;

import java.util.Collections;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The SQL text of every statement the writer runs, per dialect. The upsert's guard compares the rule's tuple
 * ({@link io.agentpresence.consumer.sink.StatementOrder}): {@code (event_ts, status = 'offline', status, source)}, the
 * strings as bytes and no source as the empty one; an event wins only when its tuple is greater, so one that ties
 * with the row changes nothing. The update assignments are evaluated left to right and each sees the columns
 * already changed, so the tuple's columns are assigned from the least significant on ({@code source}, then
 * {@code status}, then {@code event_ts}): once a column took the event's value, the guard still decides the same
 * for every column after it. {@code last_seen} is raised whether or not the guard lets the statement through; a NULL
 * in it (a row inserted by a consumer older than the column) counts as {@code event_ts}.
 */
public final class PresenceUpsert {

    public static final String TABLE = "agent_presences";
    public static final String TOMBSTONES = "agent_presence_tombstones";

    private final String table;
    private final String tombstones;
    /** Everything after the VALUES list. */
    private final String upsertTail;
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
        this.upsertTail = dialect == SqlDialect.MYSQL_ROW_ALIAS
                ? " AS new ON DUPLICATE KEY UPDATE" + assignments("new.", table + ".")
                : " ON DUPLICATE KEY UPDATE" + assignments("VALUES(", "");
        this.recordTombstone = dialect == SqlDialect.MYSQL_ROW_ALIAS
                ? "INSERT INTO " + tombstones + " (user_id, deleted_ts) VALUES (?, ?) AS new"
                        + " ON DUPLICATE KEY UPDATE deleted_ts = GREATEST(" + tombstones + ".deleted_ts, new.deleted_ts)"
                : "INSERT INTO " + tombstones + " (user_id, deleted_ts) VALUES (?, ?)"
                        + " ON DUPLICATE KEY UPDATE deleted_ts = GREATEST(deleted_ts, VALUES(deleted_ts))";
    }

    private static final String ROW = "(?, ?, ?, ?, ?, CURRENT_TIMESTAMP(3))";

    /**
     * The ON DUPLICATE KEY UPDATE assignments; {@code incoming} prefixes the inserted row's columns ({@code new.},
     * or {@code VALUES(} which the column's name then closes), {@code stored} the table's.
     */
    private static String assignments(String incoming, String stored) {
        String close = incoming.endsWith("(") ? ")" : "";
        UnaryOperator<String> in = column -> incoming + column + close;
        UnaryOperator<String> row = column -> stored + column;
        String wins = "(" + tuple(in) + ") > (" + tuple(row) + ")";
        return " updated_at = IF(" + wins + ", " + in.apply("updated_at") + ", " + row.apply("updated_at") + "),"
                + " source = IF(" + wins + ", " + in.apply("source") + ", " + row.apply("source") + "),"
                + " status = IF(" + wins + ", " + in.apply("status") + ", " + row.apply("status") + "),"
                + " last_seen = GREATEST(COALESCE(" + row.apply("last_seen") + ", " + row.apply("event_ts") + "), "
                + in.apply("last_seen") + "),"
                + " event_ts = GREATEST(" + row.apply("event_ts") + ", " + in.apply("event_ts") + ")";
    }

    /** The rule's tuple over one row's columns. */
    private static String tuple(UnaryOperator<String> column) {
        String status = "CAST(" + column.apply("status") + " AS BINARY)";
        return column.apply("event_ts") + ", " + status + " = 'offline', " + status + ", CAST(COALESCE("
                + column.apply("source") + ", '') AS BINARY)";
    }

    /**
     * Binds (user_id, status, event_ts, last_seen, source); inserts, or updates the row only when the statement wins
     * over it under the rule, and raises last_seen either way.
     */
    public String upsert() {
        return upsert(1);
    }

    /** The same for {@code rows} rows in one statement, binding five values per row. */
    public String upsert(int rows) {
        return insert(rows, upsertTail);
    }

    /**
     * The upsert of {@link #upsert(int)} with the rows' values written into the text ({@link SqlLiterals}), for a plain
     * statement: each row its change's (user_id, status, event_ts, last_seen = event_ts, source).
     */
    public String upsert(List<PresenceChange> rows) {
        StringBuilder sql = new StringBuilder(100 + rows.size() * 110 + upsertTail.length())
                .append("INSERT INTO ").append(table)
                .append(" (user_id, status, event_ts, last_seen, source, updated_at) VALUES ");
        for (int i = 0; i < rows.size(); i++) {
            PresenceChange row = rows.get(i);
            SqlLiterals.string(sql.append(i == 0 ? "(" : ", ("), row.userId()).append(", ");
            SqlLiterals.string(sql, row.status()).append(", ").append(row.ts()).append(", ").append(row.ts()).append(", ");
            SqlLiterals.string(sql, row.source()).append(", CURRENT_TIMESTAMP(3))");
        }
        return sql.append(upsertTail).toString();
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
     * Binds (user_id, seen) per row, for {@code rows} rows; the same in both dialects. Raises last_seen to seen on
     * rows that exist: it never inserts one, so a bare heartbeat cannot bring a deleted user back. The derived table
     * names the collation of the key, so 'Alice' never matches 'alice'.
     */
    public String raiseLastSeen(int rows) {
        StringBuilder sql = new StringBuilder(200 + rows * 30).append("UPDATE ").append(table)
                .append(" p JOIN (SELECT ? COLLATE utf8mb4_bin AS user_id, ? AS seen");
        for (int i = 1; i < rows; i++) {
            sql.append(" UNION ALL SELECT ?, ?");
        }
        return sql.append(") h ON p.user_id = h.user_id SET p.last_seen = h.seen")
                .append(" WHERE h.seen > COALESCE(p.last_seen, p.event_ts)").toString();
    }

    /** Binds (user_id, deleted_ts); remembers the newest deletion so a late older event cannot resurrect the row. */
    public String recordTombstone() {
        return recordTombstone;
    }

    /** Binds (user_id, ts); deletes the row unless it holds a newer statement (a deletion wins a tie). */
    public String delete() {
        return "DELETE FROM " + table + " WHERE user_id = ? AND event_ts <= ?";
    }

    /** Returns a row when any deletion is recorded. */
    public String anyTombstone() {
        return "SELECT 1 FROM " + tombstones + " LIMIT 1";
    }

    /** Binds {@code count} user ids; removes rows just written from statements no newer than a recorded deletion. */
    public String deleteResurrected(int count) {
        return "DELETE p FROM " + table + " p JOIN " + tombstones + " t ON t.user_id = p.user_id"
                + " WHERE p.event_ts <= t.deleted_ts AND p.user_id IN ("
                + String.join(", ", Collections.nCopies(count, "?")) + ")";
    }
}

package io.agentpresence.consumer.support;

import io.agentpresence.consumer.rule.ExpectedTable;
import io.agentpresence.embedded.junit.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** Reads {@code agent_presences} back for assertions. */
public final class PresenceTable {

    /** One row as a test compares it; {@code updated_at} is left out, it differs between runs by design. */
    public record Row(String userId, String status, long eventTs, String source) {
    }

    private final TestDatabase db;

    public PresenceTable(TestDatabase db) {
        this.db = db;
    }

    public Map<String, Row> rows() throws SQLException {
        Map<String, Row> rows = new TreeMap<>();
        try (Connection c = db.connect();
             PreparedStatement ps = c.prepareStatement("SELECT user_id, status, event_ts, source FROM agent_presences");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rows.put(rs.getString(1), new Row(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4)));
            }
        }
        return rows;
    }

    /** Every row with its last_seen, as the rule's model ({@link ExpectedTable}) gives rows, by userId. */
    public Map<String, ExpectedTable.Row> rowsWithLastSeen() throws SQLException {
        Map<String, ExpectedTable.Row> rows = new TreeMap<>();
        try (Connection c = db.connect();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT user_id, status, event_ts, last_seen, source FROM agent_presences");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rows.put(rs.getString(1), new ExpectedTable.Row(rs.getString(1), rs.getString(2), rs.getLong(3),
                        rs.getLong(4), rs.getString(5)));
            }
        }
        return rows;
    }

    /** How the table differs from {@code expected}: see {@link #differences(Map, Map)}. */
    public List<String> differencesFrom(Map<String, Row> expected) throws SQLException {
        return differences(expected, rows());
    }

    /** One line per user whose row differs ({@code user: expected … but was …}), by userId; empty when they agree. */
    public static List<String> differences(Map<String, Row> expected, Map<String, Row> actual) {
        Set<String> users = new TreeSet<>(expected.keySet());
        users.addAll(actual.keySet());
        List<String> differences = new ArrayList<>();
        for (String user : users) {
            if (!Objects.equals(expected.get(user), actual.get(user))) {
                differences.add(user + ": expected " + expected.get(user) + " but was " + actual.get(user));
            }
        }
        return differences;
    }

    public Optional<Row> row(String userId) throws SQLException {
        try (Connection c = db.connect();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT user_id, status, event_ts, source FROM agent_presences WHERE user_id = ?")) {
            ps.setString(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next()
                        ? Optional.of(new Row(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4)))
                        : Optional.empty();
            }
        }
    }

    /** The row's last_seen; empty when the user has no row. */
    public Optional<Long> lastSeen(String userId) throws SQLException {
        return column(userId, "last_seen", rs -> rs.getLong(1));
    }

    /** The row's updated_at; empty when the user has no row. */
    public Optional<Timestamp> updatedAt(String userId) throws SQLException {
        return column(userId, "updated_at", rs -> rs.getTimestamp(1));
    }

    private interface Column<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private <T> Optional<T> column(String userId, String column, Column<T> value) throws SQLException {
        String sql = "SELECT " + column + " FROM agent_presences WHERE user_id = ?";
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(value.read(rs)) : Optional.empty();
            }
        }
    }

    public int count() throws SQLException {
        return rows().size();
    }
}

package io.agentpresence.consumer.support;

import io.agentpresence.embedded.junit.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

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

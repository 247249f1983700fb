package io.agentpresence.consumer.support;

import io.agentpresence.embedded.junit.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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

    public int count() throws SQLException {
        return rows().size();
    }
}

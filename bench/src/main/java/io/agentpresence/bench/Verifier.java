package io.agentpresence.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Reads the outcome back from the database: progress, row-by-row agreement with the model, and delays. */
final class Verifier {

    private final String jdbcUrl;
    private final String user;
    private final String password;

    Verifier(String jdbcUrl, String user, String password) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, user, password);
    }

    /** Records applied so far: the sum of the positions the consumer stored with the rows. */
    long appliedPositions(String group) {
        try (Connection c = connect();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT COALESCE(SUM(next_offset), 0) FROM agent_presence_offsets WHERE group_id = ?")) {
            ps.setString(1, group);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            // the schema may not exist yet while the consumer starts
            return 0;
        }
    }

    /** Rows that differ from the model (wrong status or ts, missing, or extra), skipping pre-filled rows. */
    long mismatches(Workload model) throws SQLException {
        boolean[] seen = new boolean[model.users()];
        long mismatches = 0;
        try (Connection c = connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT user_id, status, event_ts FROM agent_presences"
                     + " WHERE user_id LIKE 'agent-%'")) {
            while (rs.next()) {
                String suffix = rs.getString(1).substring("agent-".length());
                if (suffix.startsWith(ExistingRows.PREFIX)) {
                    // a row filled in before the run, not part of the workload
                    continue;
                }
                int user = Integer.parseInt(suffix);
                seen[user] = true;
                if (!rs.getString(2).equals(model.status(user)) || rs.getLong(3) != model.ts(user)) {
                    mismatches++;
                }
            }
        }
        for (int user = 0; user < seen.length; user++) {
            if (!seen[user] && model.status(user) != null) {
                mismatches++;
            }
        }
        return mismatches;
    }

    /** For each row of a user whose id starts with {@code prefix}: when its event was sent, and the ms until written. */
    Delays delays(String prefix) throws SQLException {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement("SELECT event_ts, TIMESTAMPDIFF("
                + "MICROSECOND, FROM_UNIXTIME(event_ts / 1000), updated_at) FROM agent_presences WHERE user_id LIKE ?")) {
            s.setString(1, prefix + "%");
            try (ResultSet rs = s.executeQuery()) {
                Delays delays = new Delays();
                while (rs.next()) {
                    delays.add(rs.getLong(1), rs.getLong(2) / 1000.0);
                }
                return delays;
            }
        }
    }
}

package io.agentpresence.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collections;
import javax.sql.DataSource;

/** Fills the table with rows of other users first, to measure how the consumer copes with a large table. */
final class ExistingRows {

    /** After "agent-": sorts among the workload's users, so both share the index, yet tells them apart. */
    static final String PREFIX = "x";
    private static final int ROWS_PER_STATEMENT = 1_000;

    static void fill(DataSource ds, int rows) throws SQLException {
        String values = "(?, 'offline', 1, 1, 'prefill', CURRENT_TIMESTAMP(3))";
        String sql = "INSERT INTO agent_presences (user_id, status, event_ts, last_seen, source, updated_at) VALUES "
                + String.join(", ", Collections.nCopies(ROWS_PER_STATEMENT, values));
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int from = 0; from + ROWS_PER_STATEMENT <= rows; from += ROWS_PER_STATEMENT) {
                for (int i = 0; i < ROWS_PER_STATEMENT; i++) {
                    ps.setString(i + 1, "agent-" + PREFIX + (from + i));
                }
                ps.executeUpdate();
                if ((from / ROWS_PER_STATEMENT) % 50 == 0) {
                    c.commit();
                }
            }
            c.commit();
        }
    }

    private ExistingRows() {
    }
}

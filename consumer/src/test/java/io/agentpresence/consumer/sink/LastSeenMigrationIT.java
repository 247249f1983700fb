package io.agentpresence.consumer.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.agentpresence.embedded.junit.PresenceInfrastructure;
import io.agentpresence.embedded.junit.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Migration V3 on a table that already holds rows: every row gets a last_seen, taken from its event. */
@ExtendWith(PresenceInfrastructure.class)
class LastSeenMigrationIT {

    @Test
    void rowsWrittenBeforeTheColumnExistedAreBackfilledFromTheirEventTs(TestDatabase db) throws Exception {
        try (HikariDataSource dataSource = DataSourceFactory.create(db.jdbcUrl(), db.user(), db.password(), 2)) {
            Flyway.configure().dataSource(dataSource).locations("classpath:db/migration")
                    .table(SchemaMigrator.HISTORY_TABLE).target("2").load().migrate();
            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO agent_presences (user_id, status, event_ts, source)"
                        + " VALUES ('u1', 'online', 100, 'a'), ('u2', 'busy', 250, NULL)");
            }

            SchemaMigrator.migrate(dataSource);
        }

        Map<String, Long> lastSeen = new TreeMap<>();
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT user_id, last_seen FROM agent_presences")) {
            while (rs.next()) {
                lastSeen.put(rs.getString(1), rs.getLong(2));
            }
        }
        assertThat(lastSeen).isEqualTo(Map.of("u1", 100L, "u2", 250L));
        assertThat(columnComment(db, "last_seen")).startsWith("event time of the newest event or heartbeat seen");
    }

    private static String columnComment(TestDatabase db, String column) throws Exception {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("SELECT column_comment"
                + " FROM information_schema.columns WHERE table_schema = ? AND table_name = ? AND column_name = ?")) {
            ps.setString(1, db.name());
            ps.setString(2, PresenceUpsert.TABLE);
            ps.setString(3, column);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}

package io.agentpresence.consumer.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.agentpresence.embedded.junit.PresenceInfrastructure;
import io.agentpresence.embedded.junit.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Pruning the deletion ledger on the run's database. */
@ExtendWith(PresenceInfrastructure.class)
class TombstoneLedgerIT {

    private static final long CUTOFF = 1_000_000;

    private TestDatabase db;
    private HikariDataSource dataSource;
    private TombstoneLedger ledger;

    @BeforeEach
    void open(TestDatabase db) {
        this.db = db;
        this.dataSource = DataSourceFactory.create(db.jdbcUrl(), db.user(), db.password(), 2);
        SchemaMigrator.migrate(dataSource);
        this.ledger = new TombstoneLedger(dataSource);
    }

    @AfterEach
    void close() {
        dataSource.close();
    }

    @Test
    void pruningDeletesEveryEntryOlderThanTheCutoffInChunksAndKeepsTheRest() throws Exception {
        int expired = 2 * TombstoneLedger.PRUNE_CHUNK + 500;
        insert(PresenceUpsert.TOMBSTONES, "old-", expired, CUTOFF - 10_000);
        insert(PresenceUpsert.TOMBSTONES, "new-", 10, CUTOFF);

        assertThat(ledger.prune(CUTOFF)).isEqualTo(expired);

        assertThat(entries(PresenceUpsert.TOMBSTONES)).hasSize(10).allSatisfy((user, ts) -> {
            assertThat(user).startsWith("new-");
            assertThat(ts).isGreaterThanOrEqualTo(CUTOFF);
        });
        assertThat(ledger.prune(CUTOFF)).isZero();
    }

    @Test
    void pruningReadsTheExpiredEntriesThroughAnIndexNotTheWholeLedger() throws Exception {
        insert(PresenceUpsert.TOMBSTONES, "old-", 10, CUTOFF - 10_000);
        insert(PresenceUpsert.TOMBSTONES, "new-", 3_000, CUTOFF);
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("ANALYZE TABLE " + PresenceUpsert.TOMBSTONES);
            try (ResultSet rs = s.executeQuery("EXPLAIN DELETE FROM " + PresenceUpsert.TOMBSTONES
                    + " WHERE deleted_ts < " + CUTOFF + " LIMIT " + TombstoneLedger.PRUNE_CHUNK)) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString("key")).isEqualTo("agent_presence_tombstones_deleted_ts");
            }
        }
    }

    /** {@code count} entries {@code prefix0..}, all deleted at {@code deletedTs}, in one statement. */
    private void insert(String table, String prefix, int count, long deletedTs) throws SQLException {
        String values = IntStream.range(0, count).mapToObj(i -> "('" + prefix + i + "', " + deletedTs + ")")
                .collect(Collectors.joining(", "));
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO " + table + " (user_id, deleted_ts) VALUES " + values);
        }
    }

    private Map<String, Long> entries(String table) throws SQLException {
        Map<String, Long> entries = new TreeMap<>();
        try (Connection c = db.connect();
             PreparedStatement ps = c.prepareStatement("SELECT user_id, deleted_ts FROM " + table);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                entries.put(rs.getString(1), rs.getLong(2));
            }
        }
        return entries;
    }
}

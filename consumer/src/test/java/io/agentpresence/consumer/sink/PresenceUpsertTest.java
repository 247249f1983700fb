package io.agentpresence.consumer.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PresenceUpsertTest {

    /** The rule's tuple, incoming against stored: the guard of every guarded column. */
    private static final String VALUES_GUARD = "((VALUES(event_ts), CAST(VALUES(status) AS BINARY) = 'offline',"
            + " CAST(VALUES(status) AS BINARY), CAST(COALESCE(VALUES(source), '') AS BINARY))"
            + " > (event_ts, CAST(status AS BINARY) = 'offline', CAST(status AS BINARY),"
            + " CAST(COALESCE(source, '') AS BINARY))";

    @Test
    void mariadbUpsertGuardsByTheRulesTupleAndAssignsItsColumnsFromTheLeastSignificantOn() {
        assertThat(new PresenceUpsert(SqlDialect.VALUES_FUNCTION).upsert()).isEqualTo(
                "INSERT INTO agent_presences (user_id, status, event_ts, last_seen, source, updated_at)"
                        + " VALUES (?, ?, ?, ?, ?, CURRENT_TIMESTAMP(3))"
                        + " ON DUPLICATE KEY UPDATE"
                        + " updated_at = IF" + VALUES_GUARD + ", VALUES(updated_at), updated_at),"
                        + " source = IF" + VALUES_GUARD + ", VALUES(source), source),"
                        + " status = IF" + VALUES_GUARD + ", VALUES(status), status),"
                        + " last_seen = GREATEST(COALESCE(last_seen, event_ts), VALUES(last_seen)),"
                        + " event_ts = GREATEST(event_ts, VALUES(event_ts))");
    }

    @Test
    void mysqlUpsertUsesTheRowAliasWithTheSameGuard() {
        String guard = "((new.event_ts, CAST(new.status AS BINARY) = 'offline', CAST(new.status AS BINARY),"
                + " CAST(COALESCE(new.source, '') AS BINARY)) > (agent_presences.event_ts,"
                + " CAST(agent_presences.status AS BINARY) = 'offline', CAST(agent_presences.status AS BINARY),"
                + " CAST(COALESCE(agent_presences.source, '') AS BINARY))";
        assertThat(new PresenceUpsert(SqlDialect.MYSQL_ROW_ALIAS).upsert()).isEqualTo(
                "INSERT INTO agent_presences (user_id, status, event_ts, last_seen, source, updated_at)"
                        + " VALUES (?, ?, ?, ?, ?, CURRENT_TIMESTAMP(3)) AS new"
                        + " ON DUPLICATE KEY UPDATE"
                        + " updated_at = IF" + guard + ", new.updated_at, agent_presences.updated_at),"
                        + " source = IF" + guard + ", new.source, agent_presences.source),"
                        + " status = IF" + guard + ", new.status, agent_presences.status),"
                        + " last_seen = GREATEST(COALESCE(agent_presences.last_seen, agent_presences.event_ts),"
                        + " new.last_seen),"
                        + " event_ts = GREATEST(agent_presences.event_ts, new.event_ts)");
    }

    @Test
    void severalRowsShareOneStatement() {
        assertThat(new PresenceUpsert(SqlDialect.VALUES_FUNCTION).upsert(3)).startsWith(
                "INSERT INTO agent_presences (user_id, status, event_ts, last_seen, source, updated_at) VALUES"
                        + " (?, ?, ?, ?, ?, CURRENT_TIMESTAMP(3)), (?, ?, ?, ?, ?, CURRENT_TIMESTAMP(3)),"
                        + " (?, ?, ?, ?, ?, CURRENT_TIMESTAMP(3)) ON DUPLICATE KEY UPDATE updated_at = ");
        assertThat(new PresenceUpsert(SqlDialect.MYSQL_ROW_ALIAS, "agent_presences_rebuild").upsert(2)).startsWith(
                "INSERT INTO agent_presences_rebuild (user_id, status, event_ts, last_seen, source, updated_at) VALUES"
                        + " (?, ?, ?, ?, ?, CURRENT_TIMESTAMP(3)), (?, ?, ?, ?, ?, CURRENT_TIMESTAMP(3)) AS new"
                        + " ON DUPLICATE KEY UPDATE updated_at = IF((new.event_ts,");
    }

    @Test
    void rowsWrittenIntoTheTextArePlainOrHexStringsAndDecimalsBeforeTheSameGuard() {
        PresenceUpsert upsert = new PresenceUpsert(SqlDialect.VALUES_FUNCTION);
        String sql = upsert.upsert(List.of(new PresenceChange("O'B\\\u00e9", "online", 5, null, 0),
                new PresenceChange("a-1 b", "away", 1764000000000L, "x\\", 1),
                new PresenceChange("tab\tx", "busy", 7, "it's", 2)));

        // printable ASCII without a quote or a backslash goes as it is; anything else as hex
        assertThat(sql).isEqualTo("INSERT INTO agent_presences (user_id, status, event_ts, last_seen, source, updated_at)"
                + " VALUES (_utf8mb4 X'4F27425CC3A9', 'online', 5, 5, NULL, CURRENT_TIMESTAMP(3)),"
                + " ('a-1 b', 'away', 1764000000000, 1764000000000, _utf8mb4 X'785C', CURRENT_TIMESTAMP(3)),"
                + " (_utf8mb4 X'7461620978', 'busy', 7, 7, _utf8mb4 X'69742773', CURRENT_TIMESTAMP(3))"
                + upsert.upsert(1).substring(upsert.upsert(1).indexOf(" ON DUPLICATE")));
    }

    @Test
    void theShadowTableRaisesItsOwnLastSeen() {
        assertThat(new PresenceUpsert(SqlDialect.MYSQL_ROW_ALIAS, "agent_presences_rebuild").upsert(1)).contains(
                " last_seen = GREATEST(COALESCE(agent_presences_rebuild.last_seen, agent_presences_rebuild.event_ts),"
                        + " new.last_seen), event_ts = GREATEST(agent_presences_rebuild.event_ts, new.event_ts)");
        assertThat(new PresenceUpsert(SqlDialect.VALUES_FUNCTION, "agent_presences_rebuild").raiseLastSeen(1))
                .startsWith("UPDATE agent_presences_rebuild p JOIN (");
    }

    @Test
    void raisingLastSeenIsOneUpdateOfExistingRowsJoinedToTheBatchAndTheSameInBothDialects() {
        String expected = "UPDATE agent_presences p JOIN ("
                + "SELECT ? COLLATE utf8mb4_bin AS user_id, ? AS seen"
                + " UNION ALL SELECT ?, ?"
                + " UNION ALL SELECT ?, ?"
                + ") h ON p.user_id = h.user_id SET p.last_seen = h.seen"
                + " WHERE h.seen > COALESCE(p.last_seen, p.event_ts)";
        assertThat(new PresenceUpsert(SqlDialect.VALUES_FUNCTION).raiseLastSeen(3)).isEqualTo(expected);
        assertThat(new PresenceUpsert(SqlDialect.MYSQL_ROW_ALIAS).raiseLastSeen(3)).isEqualTo(expected);
    }

    @Test
    void tombstoneLedgerKeepsTheNewestDeletionPerDialect() {
        assertThat(new PresenceUpsert(SqlDialect.VALUES_FUNCTION).recordTombstone()).isEqualTo(
                "INSERT INTO agent_presence_tombstones (user_id, deleted_ts) VALUES (?, ?)"
                        + " ON DUPLICATE KEY UPDATE deleted_ts = GREATEST(deleted_ts, VALUES(deleted_ts))");
        assertThat(new PresenceUpsert(SqlDialect.MYSQL_ROW_ALIAS).recordTombstone()).isEqualTo(
                "INSERT INTO agent_presence_tombstones (user_id, deleted_ts) VALUES (?, ?) AS new"
                        + " ON DUPLICATE KEY UPDATE deleted_ts = GREATEST(agent_presence_tombstones.deleted_ts,"
                        + " new.deleted_ts)");
    }

    @Test
    void deletionIsGuardedByEventTime() {
        PresenceUpsert sql = new PresenceUpsert(SqlDialect.VALUES_FUNCTION);
        assertThat(sql.delete()).isEqualTo("DELETE FROM agent_presences WHERE user_id = ? AND event_ts <= ?");
        assertThat(sql.deleteResurrected(3)).isEqualTo(
                "DELETE p FROM agent_presences p JOIN agent_presence_tombstones t ON t.user_id = p.user_id"
                        + " WHERE p.event_ts <= t.deleted_ts AND p.user_id IN (?, ?, ?)");
    }

    @Test
    void aRebuildsStatementsUseItsOwnDeletionLedger() {
        PresenceUpsert sql = new PresenceUpsert(SqlDialect.MYSQL_ROW_ALIAS, "agent_presences_rebuild",
                "agent_presence_tombstones_rebuild");
        assertThat(sql.recordTombstone()).isEqualTo(
                "INSERT INTO agent_presence_tombstones_rebuild (user_id, deleted_ts) VALUES (?, ?) AS new"
                        + " ON DUPLICATE KEY UPDATE deleted_ts = GREATEST(agent_presence_tombstones_rebuild.deleted_ts,"
                        + " new.deleted_ts)");
        assertThat(sql.anyTombstone()).isEqualTo("SELECT 1 FROM agent_presence_tombstones_rebuild LIMIT 1");
        assertThat(sql.deleteResurrected(1)).isEqualTo("DELETE p FROM agent_presences_rebuild p"
                + " JOIN agent_presence_tombstones_rebuild t ON t.user_id = p.user_id"
                + " WHERE p.event_ts <= t.deleted_ts AND p.user_id IN (?)");
    }
}

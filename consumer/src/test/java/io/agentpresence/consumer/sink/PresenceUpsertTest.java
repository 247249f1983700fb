package io.agentpresence.consumer.sink;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PresenceUpsertTest {

    @Test
    void mariadbUpsertUsesValuesFunctionAndAssignsTheGuardColumnLast() {
        assertThat(new PresenceUpsert(SqlDialect.VALUES_FUNCTION).upsert()).isEqualTo(
                "INSERT INTO agent_presences (user_id, status, event_ts, source, updated_at)"
                        + " VALUES (?, ?, ?, ?, CURRENT_TIMESTAMP(3))"
                        + " ON DUPLICATE KEY UPDATE"
                        + " status = IF(VALUES(event_ts) >= event_ts, VALUES(status), status),"
                        + " source = IF(VALUES(event_ts) >= event_ts, VALUES(source), source),"
                        + " updated_at = IF(VALUES(event_ts) >= event_ts, VALUES(updated_at), updated_at),"
                        + " event_ts = GREATEST(event_ts, VALUES(event_ts))");
    }

    @Test
    void mysqlUpsertUsesRowAliasAndAssignsTheGuardColumnLast() {
        assertThat(new PresenceUpsert(SqlDialect.MYSQL_ROW_ALIAS).upsert()).isEqualTo(
                "INSERT INTO agent_presences (user_id, status, event_ts, source, updated_at)"
                        + " VALUES (?, ?, ?, ?, CURRENT_TIMESTAMP(3)) AS new"
                        + " ON DUPLICATE KEY UPDATE"
                        + " status = IF(new.event_ts >= agent_presences.event_ts, new.status, agent_presences.status),"
                        + " source = IF(new.event_ts >= agent_presences.event_ts, new.source, agent_presences.source),"
                        + " updated_at = IF(new.event_ts >= agent_presences.event_ts, new.updated_at,"
                        + " agent_presences.updated_at),"
                        + " event_ts = GREATEST(agent_presences.event_ts, new.event_ts)");
    }

    @Test
    void severalRowsShareOneStatement() {
        assertThat(new PresenceUpsert(SqlDialect.VALUES_FUNCTION).upsert(3)).startsWith(
                "INSERT INTO agent_presences (user_id, status, event_ts, source, updated_at) VALUES"
                        + " (?, ?, ?, ?, CURRENT_TIMESTAMP(3)), (?, ?, ?, ?, CURRENT_TIMESTAMP(3)),"
                        + " (?, ?, ?, ?, CURRENT_TIMESTAMP(3)) ON DUPLICATE KEY UPDATE status = ");
        assertThat(new PresenceUpsert(SqlDialect.MYSQL_ROW_ALIAS, "agent_presences_rebuild").upsert(2)).startsWith(
                "INSERT INTO agent_presences_rebuild (user_id, status, event_ts, source, updated_at) VALUES"
                        + " (?, ?, ?, ?, CURRENT_TIMESTAMP(3)), (?, ?, ?, ?, CURRENT_TIMESTAMP(3)) AS new"
                        + " ON DUPLICATE KEY UPDATE status = IF(new.event_ts >= agent_presences_rebuild.event_ts,");
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
                        + " WHERE p.event_ts < t.deleted_ts AND p.user_id IN (?, ?, ?)");
    }
}

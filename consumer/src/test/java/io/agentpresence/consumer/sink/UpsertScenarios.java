package io.agentpresence.consumer.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.agentpresence.consumer.rule.ExpectedTable;
import io.agentpresence.consumer.support.PresenceTable;
import io.agentpresence.consumer.support.PresenceTable.Row;
import io.agentpresence.embedded.junit.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the writer guarantees, written once and run against each database (see the subclasses): atomic,
 * idempotent, stale-safe upserts and guarded deletions, and last_seen raised by every newer event or heartbeat.
 */
abstract class UpsertScenarios {

    private HikariDataSource dataSource;
    private PresenceWriter writer;
    private PresenceTable table;
    private long seq;

    /** Migrates a fresh database and returns a writer for it. */
    void open(TestDatabase db) throws SQLException {
        open(db, db.jdbcUrl());
    }

    private void open(TestDatabase db, String jdbcUrl) throws SQLException {
        dataSource = DataSourceFactory.create(jdbcUrl, db.user(), db.password(), 4);
        SchemaMigrator.migrate(dataSource);
        writer = PresenceWriter.forServer(dataSource, new OffsetStore("scenarios"));
        table = new PresenceTable(db);
    }

    abstract TestDatabase database();

    @AfterEach
    void closePool() {
        if (dataSource != null) {
            dataSource.close();
        }
    }

    private PresenceChange set(String user, String status, long ts) {
        return new PresenceChange(user, status, ts, "test", seq++);
    }

    private PresenceChange heartbeat(String user, long ts) {
        return PresenceChange.heartbeat(user, ts, seq++);
    }

    /** A heartbeat that confirms {@code status}, as the fold sends them. */
    private PresenceChange confirming(String user, String status, long ts) {
        return PresenceChange.heartbeat(user, status, ts, "fold", seq++);
    }

    /** Writes the changes as one batch, reduced as the consumer reduces it. */
    private WriteResult write(PresenceChange... changes) throws Exception {
        PresenceBuffer buffer = new PresenceBuffer();
        for (PresenceChange c : changes) {
            buffer.add(c);
        }
        return writer.write(buffer.changes(), List.of());
    }

    @Test
    void aNewerEventUpdatesAndAStaleOneIsSkipped() throws Exception {
        open(database());
        write(set("u1", "online", 100));
        write(set("u1", "away", 200));
        write(set("u1", "offline", 150));

        assertThat(table.row("u1")).contains(new Row("u1", "away", 200, "test"));
    }

    @Test
    void anEventAsOldAsTheRowAppliesOnlyWhenTheRuleRanksItHigher() throws Exception {
        open(database());
        write(set("u1", "online", 100));
        write(set("u1", "offline", 100));
        write(set("u1", "online", 100));

        assertThat(table.row("u1")).contains(new Row("u1", "offline", 100, "test"));
    }

    @Test
    void writingTheSameBatchTwiceChangesNothing() throws Exception {
        open(database());
        PresenceChange a = set("u1", "online", 100);
        PresenceChange b = set("u2", "busy", 300);
        write(a, b);
        var before = table.rows();
        write(a, b);

        assertThat(table.rows()).isEqualTo(before).hasSize(2);
    }

    @Test
    void userIdsDifferingOnlyInCaseAreTwoUsers() throws Exception {
        open(database());
        write(set("Alice", "online", 1), set("alice", "away", 1));

        assertThat(table.rows()).containsOnlyKeys("Alice", "alice");
    }

    @Test
    void quotesBackslashesAndCharactersBeyondAsciiAreStoredAsSent() throws Exception {
        open(database());
        writesAwkwardValuesAsSent();
    }

    @Test
    void noSqlModeChangesWhatTheLiteralsMean() throws Exception {
        TestDatabase db = database();
        // a backslash that no longer escapes, double quotes that delimit names, || that concatenates
        String modes = "sessionVariables=sql_mode='ANSI_QUOTES,NO_BACKSLASH_ESCAPES,PIPES_AS_CONCAT,STRICT_ALL_TABLES'";
        open(db, db.jdbcUrl() + (db.jdbcUrl().contains("?") ? "&" : "?") + modes);
        writesAwkwardValuesAsSent();
    }

    private void writesAwkwardValuesAsSent() throws Exception {
        String[] users = {"O'Brien", "back\\slash", "semi;colon -- ", "dq\"x\" || y", "\u540d\u524d", "smile\uD83D\uDE00",
                "nul\u0000byte"};
        List<PresenceChange> changes = new ArrayList<>();
        for (String user : users) {
            changes.add(new PresenceChange(user, "online", 7, "src'\\\u00e9\uD83D\uDE00", seq++));
        }
        changes.add(new PresenceChange("no-source", "away", 8, null, seq++));
        changes.add(new PresenceChange("plain:ascii/@+=-_.", "busy", 9, "presence-cli", seq++));
        write(changes.toArray(PresenceChange[]::new));

        for (String user : users) {
            assertThat(table.row(user)).contains(new Row(user, "online", 7, "src'\\\u00e9\uD83D\uDE00"));
        }
        assertThat(table.row("no-source")).contains(new Row("no-source", "away", 8, null));
        assertThat(table.row("plain:ascii/@+=-_.")).contains(new Row("plain:ascii/@+=-_.", "busy", 9, "presence-cli"));
        assertThat(table.count()).isEqualTo(users.length + 2);
    }

    @Test
    void aTombstoneDeletesTheRowButNotANewerOne() throws Exception {
        open(database());
        write(set("u1", "online", 100), set("u2", "online", 500));
        write(PresenceChange.delete("u1", 200, seq++), PresenceChange.delete("u2", 400, seq++));

        assertThat(table.rows()).containsOnlyKeys("u2");
    }

    @Test
    void aLateEventOlderThanTheDeletionDoesNotBringTheRowBack() throws Exception {
        open(database());
        write(set("u1", "online", 100));
        write(PresenceChange.delete("u1", 200, seq++));
        write(set("u1", "busy", 150));

        assertThat(table.row("u1")).isEmpty();

        write(set("u1", "away", 250));
        assertThat(table.row("u1")).contains(new Row("u1", "away", 250, "test"));
    }

    @Test
    void aBatchIsSentAsOneMultiRowStatement() throws Exception {
        open(database());
        TestDatabase db = database();
        // one connection, so its session counters see every statement the writer sends
        try (HikariDataSource single = DataSourceFactory.create(db.jdbcUrl(), db.user(), db.password(), 1)) {
            PresenceWriter singleWriter = PresenceWriter.forServer(single, new OffsetStore("scenarios"));
            List<PresenceChange> changes = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                changes.add(set(String.format("user-%02d", i), "online", 1));
            }
            long before = comInsert(single);
            singleWriter.write(changes, List.of());

            assertThat(comInsert(single) - before).isEqualTo(1);
            assertThat(table.count()).isEqualTo(50);
        }
    }

    @Test
    void theWriteResultTellsInsertedUpdatedAndStaleApart() throws Exception {
        open(database());
        write(set("u1", "online", 100), set("u2", "online", 100));

        PresenceBuffer buffer = new PresenceBuffer();
        buffer.add(set("u1", "away", 200));   // newer: updated
        buffer.add(set("u2", "away", 50));    // older: stale
        buffer.add(set("u3", "busy", 10));    // new user: inserted
        WriteResult result = writer.write(buffer.changes(), List.of());

        assertThat(result).isEqualTo(new WriteResult(1, 1, 1, 0, 0));
        assertThat(writer.write(List.of(PresenceChange.delete("u3", 20, seq++)), List.of()))
                .isEqualTo(new WriteResult(0, 0, 0, 1, 0));
    }

    private static long comInsert(javax.sql.DataSource ds) throws SQLException {
        return statementCount(ds, "Com_insert");
    }

    /** Statements of the kinds {@code pattern} names (a LIKE pattern) run so far in the pool's one session. */
    private static long statementCount(javax.sql.DataSource ds, String pattern) throws SQLException {
        long count = 0;
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW SESSION STATUS LIKE '" + pattern + "'")) {
            while (rs.next()) {
                count += rs.getLong(2);
            }
        }
        return count;
    }

    @Test
    void concurrentFirstWritesForOneUserLeaveOneRowWithTheNewestEvent() throws Exception {
        open(database());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> writes = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                PresenceChange change = new PresenceChange("fresh-user", i % 2 == 0 ? "online" : "busy", 1000 + i,
                        "writer-" + i, i);
                writes.add(pool.submit(() -> {
                    writer.write(List.of(change), List.of());
                    return null;
                }));
            }
            for (Future<?> f : writes) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(table.rows()).containsOnlyKeys("fresh-user");
        assertThat(table.row("fresh-user")).contains(new Row("fresh-user", "busy", 1063, "writer-63"));
    }

    // last_seen: the newest event or heartbeat seen for the user

    @Test
    void aFirstStatusEventInsertsTheRowWithLastSeenOfTheNewestEventOfItsBatch() throws Exception {
        open(database());
        WriteResult result = write(set("u1", "online", 100), set("u2", "online", 100), heartbeat("u2", 150));

        assertThat(result).as("the heartbeat raises the row its status event just inserted")
                .isEqualTo(new WriteResult(2, 0, 0, 0, 1));
        assertThat(table.lastSeen("u1")).contains(100L);
        assertThat(table.lastSeen("u2")).contains(150L);
        assertThat(table.row("u2")).contains(new Row("u2", "online", 100, "test"));
    }

    @Test
    void aHeartbeatRaisesLastSeenButNotTheStatusNorEventTsNorUpdatedAt() throws Exception {
        open(database());
        write(set("u1", "online", 100));
        Timestamp written = table.updatedAt("u1").orElseThrow();
        Thread.sleep(20);

        WriteResult result = write(heartbeat("u1", 300));

        assertThat(result).isEqualTo(new WriteResult(0, 0, 0, 0, 1));
        assertThat(table.row("u1")).contains(new Row("u1", "online", 100, "test"));
        assertThat(table.lastSeen("u1")).contains(300L);
        assertThat(table.updatedAt("u1")).contains(written);
    }

    @Test
    void anOlderHeartbeatLeavesLastSeenAlone() throws Exception {
        open(database());
        write(set("u1", "online", 100), heartbeat("u1", 300));

        assertThat(write(heartbeat("u1", 200))).isEqualTo(WriteResult.NONE);
        assertThat(table.lastSeen("u1")).contains(300L);
    }

    @Test
    void aHeartbeatForAnUnknownUserInsertsNothing() throws Exception {
        open(database());
        write(set("alice", "online", 100));

        assertThat(write(heartbeat("ghost", 100), heartbeat("Alice", 500))).isEqualTo(WriteResult.NONE);
        assertThat(table.rows()).containsOnlyKeys("alice");
        assertThat(table.lastSeen("alice")).as("'Alice' is another user").contains(100L);
    }

    @Test
    void aHeartbeatAfterADeletionDoesNotBringTheUserBack() throws Exception {
        open(database());
        write(set("u1", "online", 100), set("u2", "online", 100));
        write(PresenceChange.delete("u1", 200, seq++));
        write(heartbeat("u1", 300));
        // the deletion and a newer heartbeat in one batch
        write(PresenceChange.delete("u2", 200, seq++), heartbeat("u2", 300));

        assertThat(table.rows()).isEmpty();
    }

    @Test
    void aHeartbeatNewerThanADeletionRaisesARowTheDeletionDoesNotReach() throws Exception {
        open(database());
        write(set("u1", "online", 300));

        WriteResult result = write(PresenceChange.delete("u1", 200, seq++), heartbeat("u1", 400));

        assertThat(result).isEqualTo(new WriteResult(0, 0, 0, 0, 1));
        assertThat(table.row("u1")).contains(new Row("u1", "online", 300, "test"));
        assertThat(table.lastSeen("u1")).contains(400L);
    }

    @Test
    void aStaleStatusEventWithANewerHeartbeatRaisesLastSeenButNotTheStatus() throws Exception {
        open(database());
        write(set("u1", "away", 200));
        Timestamp written = table.updatedAt("u1").orElseThrow();
        Thread.sleep(20);

        WriteResult result = write(set("u1", "offline", 150), heartbeat("u1", 250));

        assertThat(result).as("the status is stale; the row changed in last_seen only")
                .isEqualTo(new WriteResult(0, 0, 1, 0, 1));
        assertThat(table.row("u1")).contains(new Row("u1", "away", 200, "test"));
        assertThat(table.lastSeen("u1")).contains(250L);
        assertThat(table.updatedAt("u1")).contains(written);
    }

    @Test
    void aStaleStatusEventRaisesLastSeenWhateverTheGuardDecides() throws Exception {
        open(database());
        write(set("u1", "away", 100));
        // a row whose event time runs ahead of its last_seen, as a bad clock or a hand edit leaves it
        sql("UPDATE agent_presences SET event_ts = 500 WHERE user_id = 'u1'");

        write(set("u1", "offline", 300));

        assertThat(table.row("u1")).contains(new Row("u1", "away", 500, "test"));
        assertThat(table.lastSeen("u1")).contains(300L);
    }

    @Test
    void aStatusChangeAndANewerHeartbeatInOneBatchApplyBoth() throws Exception {
        open(database());
        write(set("u1", "online", 100));
        Timestamp written = table.updatedAt("u1").orElseThrow();
        Thread.sleep(20);

        WriteResult result = write(heartbeat("u1", 300), set("u1", "busy", 200), heartbeat("u1", 250));

        assertThat(result).isEqualTo(new WriteResult(0, 1, 0, 0, 1));
        assertThat(table.row("u1")).contains(new Row("u1", "busy", 200, "test"));
        assertThat(table.lastSeen("u1")).contains(300L);
        assertThat(table.updatedAt("u1")).hasValueSatisfying(t -> assertThat(t).isAfter(written));
    }

    @Test
    void aRowWithoutLastSeenCountsFromItsEventTs() throws Exception {
        open(database());
        write(set("u1", "online", 200), set("u2", "online", 200));
        // as a consumer older than the column leaves a row it inserts
        sql("UPDATE agent_presences SET last_seen = NULL");

        write(set("u1", "busy", 100), heartbeat("u2", 150));
        assertThat(table.lastSeen("u1")).contains(200L);
        assertThat(lastSeenIsNull("u2")).as("nothing newer than event_ts was seen").isTrue();

        write(heartbeat("u1", 250), heartbeat("u2", 250));
        assertThat(table.lastSeen("u1")).contains(250L);
        assertThat(table.lastSeen("u2")).contains(250L);
    }

    @Test
    void heartbeatsAreWrittenAsMultiRowStatementsOfFiveHundredUsers() throws Exception {
        open(database());
        TestDatabase db = database();
        List<PresenceChange> statuses = new ArrayList<>();
        List<PresenceChange> heartbeats = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            statuses.add(set(String.format("user-%03d", i), "online", 1));
            heartbeats.add(heartbeat(String.format("user-%03d", i), 2));
        }
        writer.write(statuses, List.of());
        // one connection, so its session counters see every statement the writer sends
        try (HikariDataSource single = DataSourceFactory.create(db.jdbcUrl(), db.user(), db.password(), 1)) {
            PresenceWriter singleWriter = PresenceWriter.forServer(single, new OffsetStore("scenarios"));
            long before = statementCount(single, "Com_update%");

            assertThat(singleWriter.write(heartbeats, List.of())).isEqualTo(new WriteResult(0, 0, 0, 0, 600));
            assertThat(statementCount(single, "Com_update%") - before).isEqualTo(2);
        }
        assertThat(table.lastSeen("user-000")).contains(2L);
        assertThat(table.lastSeen("user-599")).contains(2L);
    }

    @Test
    void theRebuildsShadowTableKeepsLastSeenToo() throws Exception {
        open(database());
        String shadow = PresenceUpsert.TABLE + "_rebuild";
        sql("CREATE TABLE " + shadow + " LIKE " + PresenceUpsert.TABLE);
        PresenceWriter shadowWriter = new PresenceWriter(dataSource,
                new PresenceUpsert(SqlDialect.of(dataSource), shadow), new OffsetStore("scenarios"));

        shadowWriter.write(List.of(set("u1", "online", 100)), List.of());
        shadowWriter.write(List.of(heartbeat("u1", 200)), List.of());

        try (Connection c = database().connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT status, event_ts, last_seen FROM " + shadow)) {
            assertThat(rs.next()).isTrue();
            assertThat(List.of(rs.getString(1), rs.getLong(2), rs.getLong(3))).containsExactly("online", 100L, 200L);
        }
        assertThat(table.rows()).isEmpty();
    }

    // heartbeats that confirm a status: statements, as status events are

    @Test
    void aHeartbeatThatConfirmsAStatusCreatesTheMissingRowAsAStatusEventWould() throws Exception {
        open(database());
        WriteResult result = write(confirming("u1", "away", 100),
                confirming("u2", "online", 100), confirming("u2", "busy", 200), heartbeat("u2", 300));

        assertThat(result).isEqualTo(new WriteResult(2, 0, 0, 0, 1));
        assertThat(table.row("u1")).contains(new Row("u1", "away", 100, "fold"));
        assertThat(table.lastSeen("u1")).contains(100L);
        assertThat(table.row("u2")).contains(new Row("u2", "busy", 200, "fold"));
        assertThat(table.lastSeen("u2")).contains(300L);
    }

    @Test
    void aHeartbeatThatConfirmsANewerStatusSetsTheRowAndAnOlderOneDoesNot() throws Exception {
        open(database());
        write(set("u1", "online", 100));

        assertThat(write(confirming("u1", "busy", 300))).isEqualTo(new WriteResult(0, 1, 0, 0, 0));
        assertThat(write(confirming("u1", "offline", 200))).isEqualTo(new WriteResult(0, 0, 1, 0, 0));

        assertThat(table.row("u1")).contains(new Row("u1", "busy", 300, "fold"));
        assertThat(table.lastSeen("u1")).contains(300L);
    }

    @Test
    void aHeartbeatThatConfirmsAStatusOlderThanARecordedDeletionDoesNotBringTheRowBackAndANewerOneDoes()
            throws Exception {
        open(database());
        write(set("u1", "online", 100));
        write(PresenceChange.delete("u1", 200, seq++));

        assertThat(write(confirming("u1", "busy", 150), heartbeat("u1", 250)))
                .as("inserted and removed again in the same transaction").isEqualTo(new WriteResult(0, 0, 1, 0, 0));
        assertThat(table.row("u1")).isEmpty();

        assertThat(write(confirming("u1", "away", 250))).isEqualTo(new WriteResult(1, 0, 0, 0, 0));
        assertThat(table.row("u1")).contains(new Row("u1", "away", 250, "fold"));
        assertThat(table.lastSeen("u1")).contains(250L);
    }

    @Test
    void theWriteResultCountsHeartbeatsThatConfirmAStatusAsStatements() throws Exception {
        open(database());
        write(set("raised", "online", 100), set("older", "online", 500), set("deleted", "online", 100));
        write(PresenceChange.delete("deleted", 200, seq++));

        WriteResult result = write(
                confirming("raised", "away", 300),      // existing row, newer: updated
                confirming("older", "away", 400),       // existing row, newer statement: stale
                confirming("fresh", "busy", 300),       // no row: inserted
                confirming("deleted", "busy", 150),     // older than the recorded deletion: stale
                heartbeat("ghost", 300),                // bare, no row: nothing
                set("status", "online", 300));          // a status event beside them: inserted

        assertThat(result).isEqualTo(new WriteResult(2, 1, 2, 0, 0));
        assertThat(table.rows()).containsOnlyKeys("raised", "older", "fresh", "status");
        assertThat(table.row("older")).contains(new Row("older", "online", 500, "test"));
        assertThat(table.row("raised")).contains(new Row("raised", "away", 300, "fold"));
    }

    @Test
    void heartbeatsThatConfirmAStatusAreWrittenAsMultiRowStatementsOfFiveHundredUsers() throws Exception {
        open(database());
        TestDatabase db = database();
        List<PresenceChange> existing = new ArrayList<>();
        List<PresenceChange> heartbeats = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            String user = String.format("user-%03d", i);
            if (i % 2 == 0) {
                existing.add(set(user, "online", 1));
            }
            heartbeats.add(confirming(user, "away", 2));
        }
        writer.write(existing, List.of());
        // one connection, so its session counters see every statement the writer sends
        try (HikariDataSource single = DataSourceFactory.create(db.jdbcUrl(), db.user(), db.password(), 1)) {
            PresenceWriter singleWriter = PresenceWriter.forServer(single, new OffsetStore("scenarios"));
            long inserts = comInsert(single);
            long updates = statementCount(single, "Com_update%");

            assertThat(singleWriter.write(heartbeats, List.of())).isEqualTo(new WriteResult(300, 300, 0, 0, 0));
            assertThat(comInsert(single) - inserts).isEqualTo(2);
            assertThat(statementCount(single, "Com_update%") - updates).isZero();
        }
        assertThat(table.count()).isEqualTo(600);
        assertThat(table.row("user-000")).contains(new Row("user-000", "away", 2, "fold"));
        assertThat(table.row("user-599")).contains(new Row("user-599", "away", 2, "fold"));
    }

    @Test
    void aHeartbeatThatConfirmsAStatusCreatesTheRowInTheRebuildsShadowTable() throws Exception {
        open(database());
        String shadow = PresenceUpsert.TABLE + "_rebuild";
        sql("CREATE TABLE " + shadow + " LIKE " + PresenceUpsert.TABLE);
        PresenceWriter shadowWriter = new PresenceWriter(dataSource,
                new PresenceUpsert(SqlDialect.of(dataSource), shadow), new OffsetStore("scenarios"));

        shadowWriter.write(List.of(confirming("u1", "busy", 100)), List.of());
        shadowWriter.write(List.of(confirming("u1", "away", 200)), List.of());

        try (Connection c = database().connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT status, event_ts, last_seen FROM " + shadow)) {
            assertThat(rs.next()).isTrue();
            assertThat(List.of(rs.getString(1), rs.getLong(2), rs.getLong(3))).containsExactly("away", 200L, 200L);
        }
        assertThat(table.rows()).isEmpty();
    }

    // the rule (sink.StatementOrder): every way of cutting a history into batches gives the table ExpectedTable gives

    @Test
    void equalTimestampsGoOfflineInEveryOrderAndSplit() throws Exception {
        open(database());
        assertEverySplitFollowsTheRule(set("u1", "online", 100), set("u1", "offline", 100));
        assertEverySplitFollowsTheRule(set("u1", "offline", 100), set("u1", "online", 100));
        assertThat(table.row("u1")).contains(new Row("u1", "offline", 100, "test"));
    }

    @Test
    void equalTimestampsAndStatusesGoToTheGreaterSourceInEveryOrder() throws Exception {
        open(database());
        PresenceChange a = new PresenceChange("u1", "busy", 100, "a", seq++);
        PresenceChange b = new PresenceChange("u1", "busy", 100, "b", seq++);
        PresenceChange none = new PresenceChange("u1", "busy", 100, null, seq++);
        assertEverySplitFollowsTheRule(b, a, none);
        assertEverySplitFollowsTheRule(none, a, b);
        assertThat(table.row("u1")).contains(new Row("u1", "busy", 100, "b"));
    }

    @Test
    void aDeletionWinsOverAStatementOfTheSameTsInEitherOrder() throws Exception {
        open(database());
        assertEverySplitFollowsTheRule(set("u1", "online", 100), PresenceChange.delete("u1", 100, seq++));
        assertEverySplitFollowsTheRule(PresenceChange.delete("u1", 100, seq++), set("u1", "online", 100));
        assertThat(table.row("u1")).isEmpty();
    }

    @Test
    void aHeartbeatWithAStatusIsAStatementInEverySplit() throws Exception {
        open(database());
        // newer than the status: it sets the status; after a deletion: it recreates the row
        assertEverySplitFollowsTheRule(set("u1", "away", 20), confirming("u1", "online", 30));
        assertThat(table.row("u1")).contains(new Row("u1", "online", 30, "fold"));
        assertEverySplitFollowsTheRule(set("u1", "away", 20), PresenceChange.delete("u1", 25, seq++),
                confirming("u1", "online", 30), heartbeat("u1", 35));
        assertThat(table.row("u1")).contains(new Row("u1", "online", 30, "fold"));
    }

    @Test
    void aBareHeartbeatCountsOnlyWhenItFindsTheRowInEverySplit() throws Exception {
        open(database());
        // no row yet when the heartbeat arrives: the row created after it does not take its time
        assertEverySplitFollowsTheRule(heartbeat("u1", 30), set("u1", "online", 20), heartbeat("u1", 25));
        // a row already there: it does
        assertEverySplitFollowsTheRule(set("u1", "online", 10), heartbeat("u1", 30), set("u1", "away", 20));
    }

    @Test
    void aDeletionBetweenStatementsStartsTheRowAfreshInEverySplit() throws Exception {
        open(database());
        assertEverySplitFollowsTheRule(set("u1", "online", 10), heartbeat("u1", 22),
                PresenceChange.delete("u1", 18, seq++), set("u1", "away", 19), heartbeat("u1", 21));
        assertEverySplitFollowsTheRule(set("u1", "online", 10), heartbeat("u1", 22), set("u1", "away", 19),
                PresenceChange.delete("u1", 18, seq++), heartbeat("u1", 23));
    }

    @Test
    void aLongHistoryOfTwoUsersFollowsTheRuleInEverySplit() throws Exception {
        open(database());
        assertEverySplitFollowsTheRule(set("u1", "online", 50), heartbeat("u2", 40), confirming("u2", "busy", 30),
                set("u1", "offline", 50), PresenceChange.delete("u2", 35, seq++), heartbeat("u1", 60),
                confirming("u2", "away", 36), set("u1", "busy", 45));
    }

    /**
     * Writes {@code history} cut into batches in every possible way (order kept), each on empty tables, and checks
     * the table against the rule's model after each. Leaves the table of the last cut (all in one batch).
     */
    private void assertEverySplitFollowsTheRule(PresenceChange... history) throws Exception {
        ExpectedTable model = new ExpectedTable();
        for (PresenceChange change : history) {
            model.apply(change);
        }
        int cuts = history.length - 1;
        for (int split = (1 << cuts) - 1; split >= 0; split--) {
            sql("DELETE FROM " + PresenceUpsert.TABLE);
            sql("DELETE FROM " + PresenceUpsert.TOMBSTONES);
            List<PresenceChange> batch = new ArrayList<>();
            StringBuilder batches = new StringBuilder("[");
            for (int i = 0; i < history.length; i++) {
                batch.add(history[i]);
                batches.append(history[i].kind()).append(' ').append(history[i].userId()).append('@')
                        .append(history[i].ts());
                if (i == cuts || (split & (1 << i)) != 0) {
                    write(batch.toArray(PresenceChange[]::new));
                    batch.clear();
                    batches.append(i == cuts ? "]" : "] [");
                } else {
                    batches.append(", ");
                }
            }
            assertThat(rowsWithLastSeen()).as("batches %s", batches).isEqualTo(model.rows());
        }
    }

    private Map<String, ExpectedTable.Row> rowsWithLastSeen() throws SQLException {
        Map<String, ExpectedTable.Row> rows = new TreeMap<>();
        try (Connection c = database().connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT user_id, status, event_ts, last_seen, source FROM "
                     + PresenceUpsert.TABLE)) {
            while (rs.next()) {
                rows.put(rs.getString(1), new ExpectedTable.Row(rs.getString(1), rs.getString(2), rs.getLong(3),
                        rs.getLong(4), rs.getString(5)));
            }
        }
        return rows;
    }

    private boolean lastSeenIsNull(String user) throws SQLException {
        try (Connection c = database().connect();
             PreparedStatement ps = c.prepareStatement("SELECT last_seen IS NULL FROM agent_presences WHERE user_id = ?")) {
            ps.setString(1, user);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private void sql(String statement) throws SQLException {
        try (Connection c = database().connect(); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }
}

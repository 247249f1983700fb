package io.agentpresence.consumer.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.agentpresence.consumer.support.PresenceTable;
import io.agentpresence.consumer.support.PresenceTable.Row;
import io.agentpresence.embedded.junit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the writer guarantees, written once and run against each database (see the subclasses): atomic,
 * idempotent, stale-safe upserts and guarded deletions.
 */
abstract class UpsertScenarios {

    private HikariDataSource dataSource;
    private PresenceWriter writer;
    private PresenceTable table;
    private long seq;

    /** Migrates a fresh database and returns a writer for it. */
    void open(TestDatabase db) throws SQLException {
        dataSource = DataSourceFactory.create(db.jdbcUrl(), db.user(), db.password(), 4);
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

    private void write(PresenceChange... changes) throws Exception {
        PresenceBuffer buffer = new PresenceBuffer();
        for (PresenceChange c : changes) {
            buffer.add(c);
        }
        writer.write(buffer.changes(), List.of());
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
    void anEventAsOldAsTheRowApplies() throws Exception {
        open(database());
        write(set("u1", "online", 100));
        write(set("u1", "busy", 100));

        assertThat(table.row("u1")).contains(new Row("u1", "busy", 100, "test"));
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

        assertThat(result).isEqualTo(new WriteResult(1, 1, 1, 0));
        assertThat(writer.write(List.of(PresenceChange.delete("u3", 20, seq++)), List.of()))
                .isEqualTo(new WriteResult(0, 0, 0, 1));
    }

    private static long comInsert(javax.sql.DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW SESSION STATUS LIKE 'Com_insert'")) {
            rs.next();
            return rs.getLong(2);
        }
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
}

package io.agentpresence.consumer;

import io.agentpresence.consumer.config.PresenceConsumerConfig;
import io.agentpresence.consumer.error.FailureClassifier;
import io.agentpresence.consumer.engine.ConsumerListener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.agentpresence.consumer.recovery.Rebuild;
import io.agentpresence.consumer.sink.DataSourceFactory;
import io.agentpresence.consumer.sink.SqlDialect;
import io.agentpresence.consumer.support.ConfigFile;
import io.agentpresence.consumer.support.ConsumerFixture;
import io.agentpresence.consumer.support.PresenceModel;
import io.agentpresence.consumer.support.PresenceTable;
import io.agentpresence.consumer.support.PresenceTable.Row;
import io.agentpresence.consumer.support.StoredPositions;
import io.agentpresence.embedded.junit.KafkaEndpoint;
import io.agentpresence.embedded.junit.PresenceInfrastructure;
import io.agentpresence.embedded.junit.TestDatabase;
import io.agentpresence.model.PresenceEvent;
import io.agentpresence.model.PresencePublisher;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rebuild} under load: a corrupted table is rebuilt from the topic while the service applies a steady
 * stream, readers never see fewer users than before, and what the service applied meanwhile is kept.
 */
@ExtendWith(PresenceInfrastructure.class)
class RebuildIT {

    private static final Duration CONVERGE = Duration.ofSeconds(60);
    private static final List<String> STATUSES = List.of("online", "away", "busy", "offline");
    private static final int SEED_EVENTS = 8_000;
    private static final int SEED_USERS = 400;
    /** The stream during the rebuild also reaches users the table has not seen yet. */
    private static final int LIVE_USERS = 500;
    /** Far ahead of every real event: the guard would keep a corrupted row from ever changing again. */
    private static final long FUTURE_TS = 9_000_000_000_000L;

    private ConsumerFixture fixture;
    private TestDatabase db;
    private PresenceTable table;
    @TempDir
    Path dir;

    @BeforeEach
    void setUp(KafkaEndpoint kafka, TestDatabase db) {
        this.fixture = new ConsumerFixture(kafka, db);
        this.db = db;
        this.table = new PresenceTable(db);
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    @Test
    void aRebuildUnderLoadRepairsTheTableWhileReadersNeverSeeAHalfBuiltOne() throws Exception {
        Scenario s = prepare("rebuild");
        StringWriter out = new StringWriter();
        PresenceConsumerConfig config = PresenceConsumerConfig.fromMap(s.settings());

        Outcome outcome = underLoadAndWatch(s, () -> {
            try (HikariDataSource ds = DataSourceFactory.create(db.jdbcUrl(), db.user(), db.password(), 2)) {
                new Rebuild(config, ds, SqlDialect.of(ds), new FailureClassifier(), new PrintWriter(out, true)).run(false);
            }
        });

        System.out.print(out);
        assertRepaired(s, outcome);
        assertThat(out.toString()).containsPattern("rebuild: done, [\\d,]+ events in .*; table swapped in");
        assertThat(tables()).doesNotContain(Rebuild.SHADOW, Rebuild.OLD);
    }

    @Test
    void withKeepOldTheReplacedTableIsKeptBesideTheRebuiltOne() throws Exception {
        Scenario s = prepare("rebuild-keep");
        Path config = ConfigFile.write(dir, s.settings());
        List<ConsumerCommand> result = new CopyOnWriteArrayList<>();

        Outcome outcome = underLoadAndWatch(s,
                () -> result.add(ConsumerCommand.run("rebuild", "--keep-old", "--config", config.toString())));

        ConsumerCommand rebuild = result.get(0);
        System.out.print(rebuild.err());
        assertThat(rebuild.exitCode()).as(rebuild.toString()).isZero();
        assertThat(rebuild.err()).containsPattern("rebuild: done, [\\d,]+ events in .*; table swapped in; the previous"
                + " table is kept as " + Rebuild.OLD);
        assertRepaired(s, outcome);
        assertThat(tables()).contains(Rebuild.OLD).doesNotContain(Rebuild.SHADOW);
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + Rebuild.OLD + " WHERE event_ts = " + FUTURE_TS)) {
            rs.next();
            assertThat(rs.getInt(1)).as("corrupted rows in the kept table").isEqualTo(s.corrupted().size());
        }
    }

    /** A live service that has applied a seed stream, then a table corrupted under it. */
    private record Scenario(String topic, String group, Map<String, String> settings, PresencePublisher publisher,
                            PresenceModel model, Random random, Set<String> corrupted, AtomicLong committed) {
    }

    /** What happened while the rebuild ran. */
    private record Outcome(int baseline, CountWatcher watcher, long committedBefore, long committedAfter) {
    }

    private interface RebuildRun {
        void run() throws Exception;
    }

    private Scenario prepare(String prefix) throws Exception {
        String topic = fixture.topic(prefix, 3);
        String group = topic + "-live";
        Map<String, String> settings = fixture.settings(topic, group);
        AtomicLong committed = new AtomicLong();
        fixture.start(settings, new ConsumerListener() {
            @Override
            public void onBatchCommitted(Collection<TopicPartition> partitions, int records) {
                committed.addAndGet(records);
            }
        });
        PresencePublisher publisher = fixture.publisher(topic);
        PresenceModel model = new PresenceModel();
        Random random = new Random(prefix.hashCode());
        for (int i = 0; i < SEED_EVENTS; i++) {
            publisher.publish(event(random, SEED_USERS, "seed-" + i, model));
        }
        publisher.flush();
        await().atMost(CONVERGE).until(() -> storedPositions(group, topic) == SEED_EVENTS);
        assertThat(table.rows()).isEqualTo(model.rows());

        Set<String> corrupted = new TreeSet<>();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            assertThat(st.executeUpdate("UPDATE agent_presences SET event_ts = " + FUTURE_TS + ", status = 'bogus',"
                    + " source = 'corrupted' WHERE CRC32(user_id) % 10 = 0")).isGreaterThan(10);
            assertThat(st.executeUpdate("DELETE FROM agent_presences WHERE CRC32(user_id) % 10 = 1")).isGreaterThan(10);
            try (ResultSet rs = st.executeQuery("SELECT user_id FROM agent_presences WHERE source = 'corrupted'")) {
                while (rs.next()) {
                    corrupted.add(rs.getString(1));
                }
            }
        }
        return new Scenario(topic, group, settings, publisher, model, random, corrupted, committed);
    }

    private static PresenceEvent event(Random random, int users, String source, PresenceModel model) {
        PresenceEvent event = new PresenceEvent("user-" + random.nextInt(users),
                STATUSES.get(random.nextInt(STATUSES.size())), 1 + random.nextInt(4_000), source);
        model.published(event);
        return event;
    }

    /** Runs {@code rebuild} with a publisher sending steadily and a reader counting rows all the while. */
    private Outcome underLoadAndWatch(Scenario s, RebuildRun rebuild) throws Exception {
        int baseline = table.count();
        SteadyPublisher load = new SteadyPublisher(s);
        CountWatcher watcher = new CountWatcher(db);
        load.start();
        watcher.start();
        Thread.sleep(500);
        long committedBefore = s.committed().get();
        rebuild.run();
        long committedAfter = s.committed().get();
        Thread.sleep(500);
        load.finish();
        await().atMost(CONVERGE).until(() -> storedPositions(s.group(), s.topic()) == s.model().records());
        watcher.finish();
        return new Outcome(baseline, watcher, committedBefore, committedAfter);
    }

    private void assertRepaired(Scenario s, Outcome o) throws Exception {
        System.out.printf("rebuild watch: baseline %d, fewest seen %d in %d reads; live consumer applied %d records"
                + " during the rebuild%n", o.baseline(), o.watcher().min(), o.watcher().samples(),
                o.committedAfter() - o.committedBefore());
        assertThat(o.watcher().failures()).as("reader errors").isEmpty();
        assertThat(o.watcher().samples()).as("reads during the rebuild").isGreaterThan(50);
        assertThat(o.watcher().min()).as("fewest users a reader saw").isGreaterThanOrEqualTo(o.baseline());
        assertThat(o.committedAfter()).as("records the live consumer applied during the rebuild")
                .isGreaterThan(o.committedBefore());
        Map<String, Row> rows = table.rows();
        assertThat(rows).isEqualTo(s.model().rows());
        assertThat(rows.values()).noneMatch(r -> r.eventTs() == FUTURE_TS || r.status().equals("bogus"));
        assertThat(rows.values()).anyMatch(r -> r.source().startsWith("live-"));
    }

    private long storedPositions(String group, String topic) throws SQLException {
        return StoredPositions.total(db, group, topic);
    }

    private List<String> tables() throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = ?")) {
            ps.setString(1, db.name());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
        }
        return names;
    }

    /** Publishes about a thousand events a second, one producer, in the order the scenario's model records, until finished. */
    private static final class SteadyPublisher extends Thread {
        private final Scenario s;
        private volatile boolean stop;
        private volatile Exception failure;

        SteadyPublisher(Scenario s) {
            super("steady-publisher");
            this.s = s;
            setDaemon(true);
        }

        @Override
        public void run() {
            try {
                for (int i = 0; !stop; i++) {
                    s.publisher().publish(event(s.random(), LIVE_USERS, "live-" + i, s.model()));
                    if (i % 10 == 9) {
                        Thread.sleep(10);
                    }
                }
            } catch (Exception e) {
                // reported by finish()
                failure = e;
            }
        }

        void finish() throws Exception {
            stop = true;
            join(10_000);
            s.publisher().flush();
            if (failure != null) {
                throw failure;
            }
        }
    }

    /** Counts the table's rows every few milliseconds on a connection of its own; remembers the fewest seen. */
    private static final class CountWatcher extends Thread {
        private final TestDatabase db;
        private final List<String> failures = new CopyOnWriteArrayList<>();
        private volatile boolean stop;
        private volatile long min = Long.MAX_VALUE;
        private volatile long samples;

        CountWatcher(TestDatabase db) {
            super("count-watcher");
            this.db = db;
            setDaemon(true);
        }

        @Override
        public void run() {
            try (Connection c = db.connect(); Statement st = c.createStatement()) {
                while (!stop) {
                    try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM agent_presences")) {
                        rs.next();
                        min = Math.min(min, rs.getLong(1));
                        samples++;
                    } catch (SQLException e) {
                        // a reader must never see the table missing; record it and keep watching
                        failures.add(e.toString());
                    }
                    Thread.sleep(3);
                }
            } catch (SQLException | InterruptedException e) {
                // the connection itself failed: that too is a failure of the scenario
                failures.add(e.toString());
            }
        }

        void finish() throws InterruptedException {
            stop = true;
            join(10_000);
        }

        List<String> failures() {
            return failures;
        }

        long min() {
            return min;
        }

        long samples() {
            return samples;
        }
    }
}

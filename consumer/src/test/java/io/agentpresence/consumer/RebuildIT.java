package io.agentpresence.consumer;

import io.agentpresence.consumer.config.PresenceConsumerConfig;
import io.agentpresence.consumer.error.FailureClassifier;
import io.agentpresence.consumer.engine.ConsumerListener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.agentpresence.consumer.recovery.Rebuild;
import io.agentpresence.consumer.recovery.RebuildAbandonedException;
import io.agentpresence.consumer.sink.DataSourceFactory;
import io.agentpresence.consumer.sink.SqlDialect;
import io.agentpresence.consumer.support.ConfigFile;
import io.agentpresence.consumer.support.ConsumerFixture;
import io.agentpresence.consumer.support.PresenceModel;
import io.agentpresence.consumer.support.PresenceTable;
import io.agentpresence.consumer.support.PresenceTable.Row;
import io.agentpresence.consumer.support.Sql;
import io.agentpresence.consumer.support.StoredPositions;
import io.agentpresence.embedded.junit.KafkaEndpoint;
import io.agentpresence.embedded.junit.PresenceInfrastructure;
import io.agentpresence.embedded.junit.TestDatabase;
import io.agentpresence.model.PresenceEvent;
import io.agentpresence.model.PresencePublisher;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
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
    /** Enough for the refusals and the swap; the load tests need the full seed to be worth it. */
    private static final int SMALL_SEED = 1_000;
    /** How long other sessions keep reading while a long transaction blocks the swap. */
    private static final Duration READING_WHILE_BLOCKED = Duration.ofSeconds(4);
    /** A read may wait for one attempt of the swap, never for the long transaction. */
    private static final Duration LONGEST_QUEUED_READ = Duration.ofSeconds(3);
    /** With 10 records a poll, at most 200 events/s: a fifth of the steady publisher's pace. */
    private static final Duration SLOW_CONNECTION = Duration.ofMillis(50);

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
                new Rebuild(config, ds, SqlDialect.of(ds), new FailureClassifier(), new PrintWriter(out, true),
                        Rebuild.DEFAULT_LOCK_BUDGET)
                        .run(false);
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
        assertThat(tables()).contains(Rebuild.OLD).doesNotContain(Rebuild.SHADOW, Rebuild.SHADOW_TOMBSTONES,
                Rebuild.OLD_TOMBSTONES);
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + Rebuild.OLD + " WHERE event_ts = " + FUTURE_TS)) {
            rs.next();
            assertThat(rs.getInt(1)).as("corrupted rows in the kept table").isEqualTo(s.corrupted().size());
        }
    }

    @Test
    void aRebuildRefusesToRunWhenTheConfiguredGroupHasNoStoredPositions() throws Exception {
        Scenario s = prepare("rebuild-group", SMALL_SEED);
        Map<String, String> wrongGroup = new HashMap<>(s.settings());
        wrongGroup.put("group.id", s.group() + "-typo");
        Map<String, Row> before = table.rows();

        ConsumerCommand rebuild = ConsumerCommand.run("rebuild", "--config", ConfigFile.write(dir, wrongGroup).toString());

        assertThat(rebuild.exitCode()).as(rebuild.toString()).isEqualTo(1);
        assertThat(rebuild.err()).contains("no positions are stored for group.id '" + s.group() + "-typo' on topic "
                + s.topic());
        assertThat(table.rows()).isEqualTo(before);
        assertThat(tables()).doesNotContain(Rebuild.SHADOW, Rebuild.OLD);
    }

    @Test
    void aTableKeptByAnEarlierRebuildIsNeverDropped() throws Exception {
        Scenario s = prepare("rebuild-kept", SMALL_SEED);
        Path config = ConfigFile.write(dir, s.settings());
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE " + Rebuild.OLD + " LIKE agent_presences");
            st.execute("INSERT INTO " + Rebuild.OLD + " SELECT * FROM agent_presences");
        }
        Map<String, Row> before = table.rows();

        for (List<String> args : List.of(List.of("rebuild", "--keep-old", "--config", config.toString()),
                List.of("rebuild", "--config", config.toString()))) {
            ConsumerCommand rebuild = ConsumerCommand.run(args.toArray(String[]::new));

            assertThat(rebuild.exitCode()).as(rebuild.toString()).isEqualTo(1);
            assertThat(rebuild.err()).contains(Rebuild.OLD + " exists");
        }
        assertThat(table.rows()).isEqualTo(before);
        assertThat(tables()).contains(Rebuild.OLD).doesNotContain(Rebuild.SHADOW);
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + Rebuild.OLD)) {
            rs.next();
            assertThat(rs.getInt(1)).as("rows of the earlier kept table").isEqualTo(before.size());
        }
    }

    /**
     * A transaction that has read the table (a report, {@code mysqldump --single-transaction}) holds its metadata
     * lock until it ends; a {@code RENAME} waiting for that lock queues every later reader and writer behind it.
     */
    @Test
    void aLongReaderNeverQueuesOtherReadersBehindTheSwap() throws Exception {
        Scenario s = prepare("rebuild-reader", SMALL_SEED);
        Path config = ConfigFile.write(dir, s.settings());
        List<ConsumerCommand> result = new CopyOnWriteArrayList<>();
        // a budget well beyond the reads below: this test is about the other sessions, not about giving up
        Thread rebuild = new Thread(() -> result.add(ConsumerCommand.run("rebuild", "--lock-budget", "30s", "--config",
                config.toString())), "rebuild");

        try (Connection longReader = db.connect()) {
            longReader.setAutoCommit(false);
            assertThat(count(longReader)).isGreaterThan(0);
            rebuild.start();
            await().atMost(CONVERGE).until(this::renameWaitsForTheTable);
            long until = System.nanoTime() + READING_WHILE_BLOCKED.toNanos();
            int reads = 0;
            while (System.nanoTime() < until) {
                long started = System.nanoTime();
                try (Connection other = db.connect()) {
                    count(other);
                }
                assertThat(Duration.ofNanos(System.nanoTime() - started)).as("read " + reads + " of another session")
                        .isLessThan(LONGEST_QUEUED_READ);
                reads++;
            }
            longReader.commit();
        }
        rebuild.join(CONVERGE.toMillis());

        ConsumerCommand done = result.get(0);
        assertThat(done.exitCode()).as(done.toString()).isZero();
        assertThat(done.err()).contains("rebuild: the table is in use by another session");
        assertThat(table.rows()).isEqualTo(s.model().rows());
        assertThat(tables()).doesNotContain(Rebuild.SHADOW, Rebuild.OLD);
    }

    @Test
    void aLongReaderThatOutlastsTheLockBudgetMakesTheRebuildGiveUpAndLeaveTheTableAsItWas() throws Exception {
        Scenario s = prepare("rebuild-outlasted", SMALL_SEED);
        Path config = ConfigFile.write(dir, s.settings());
        // a deletion the topic does not hold: a rebuild that swaps its tables in drops it, one that gives up must not
        Sql.execute(db, "INSERT INTO agent_presence_tombstones (user_id, deleted_ts) VALUES ('phantom', "
                + System.currentTimeMillis() + ")");
        Map<String, Row> before = table.rows();
        List<String> ledgerBefore = ledger();
        ConsumerCommand rebuild;

        try (Connection longReader = db.connect()) {
            longReader.setAutoCommit(false);
            count(longReader);
            rebuild = ConsumerCommand.run("rebuild", "--lock-budget", "3s", "--config", config.toString());
            longReader.commit();
        }

        assertThat(rebuild.exitCode()).as(rebuild.toString()).isEqualTo(75);
        assertThat(rebuild.err()).contains("rebuild: the table is in use by another session")
                .contains("rebuild: gave up, the live table is as it was: the table stayed in use by another session");
        assertThat(table.rows()).isEqualTo(before);
        assertThat(ledger()).as("the deletion ledger").isEqualTo(ledgerBefore);
        assertThat(tables()).doesNotContain(Rebuild.SHADOW, Rebuild.OLD, Rebuild.SHADOW_TOMBSTONES,
                Rebuild.OLD_TOMBSTONES);
        assertTheServiceGoesOn(s);
    }

    @Test
    void whenLiveTrafficOutrunsTheRebuildItGivesUpAndLeavesTheTableAsItWas() throws Exception {
        Scenario s = prepare("rebuild-outrun", SMALL_SEED);
        Map<String, String> settings = new HashMap<>(s.settings());
        // far slower than the live traffic: small polls, and each write waits for its connection
        settings.put("max.poll.records", "10");
        PresenceConsumerConfig config = PresenceConsumerConfig.fromMap(settings);
        StringWriter out = new StringWriter();
        SteadyPublisher load = new SteadyPublisher(s);
        load.start();

        try (HikariDataSource ds = DataSourceFactory.create(db.jdbcUrl(), db.user(), db.password(), 2)) {
            Rebuild rebuild = new Rebuild(config, slow(ds, SLOW_CONNECTION), SqlDialect.of(ds), new FailureClassifier(),
                    new PrintWriter(out, true), Duration.ofSeconds(2));
            assertThatThrownBy(() -> rebuild.run(false)).isInstanceOf(RebuildAbandonedException.class)
                    .hasMessageStartingWith("live traffic outruns the rebuild: ");
        } finally {
            load.finish();
        }

        System.out.print(out);
        assertThat(out.toString()).contains("rebuild: gave up, the live table is as it was: live traffic outruns");
        assertThat(tables()).doesNotContain(Rebuild.SHADOW, Rebuild.OLD);
        await().atMost(CONVERGE).until(() -> storedPositions(s.group(), s.topic()) == s.model().records());
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM agent_presences WHERE event_ts = " + FUTURE_TS)) {
            rs.next();
            assertThat(rs.getInt(1)).as("corrupted rows still in the live table").isEqualTo(s.corrupted().size());
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
        return prepare(prefix, SEED_EVENTS);
    }

    private Scenario prepare(String prefix, int seedEvents) throws Exception {
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
        for (int i = 0; i < seedEvents; i++) {
            publisher.publish(event(random, SEED_USERS, "seed-" + i, model));
        }
        publisher.flush();
        await().atMost(CONVERGE).until(() -> storedPositions(group, topic) == seedEvents);
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
        // the live consumer is applying and the reader reading before the rebuild starts, and after it ends
        long started = s.committed().get();
        await().atMost(CONVERGE).until(() -> s.committed().get() > started && watcher.samples() > 0);
        long committedBefore = s.committed().get();
        rebuild.run();
        long committedAfter = s.committed().get();
        await().atMost(CONVERGE).until(() -> s.committed().get() > committedAfter);
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

    /** The service, held back by a rebuild that gave up, applies what comes next. */
    private void assertTheServiceGoesOn(Scenario s) throws Exception {
        for (int i = 0; i < 50; i++) {
            PresenceEvent event = new PresenceEvent("late-" + i, "busy", 5, "late");
            s.publisher().publish(event);
            s.model().published(event);
        }
        s.publisher().flush();
        await().atMost(CONVERGE).until(() -> storedPositions(s.group(), s.topic()) == s.model().records());
        assertThat(table.row("late-49")).isPresent();
    }

    /** {@code ds} handing out each connection {@code delay} late. */
    private static DataSource slow(DataSource ds, Duration delay) {
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) {
                        Thread.sleep(delay.toMillis());
                    }
                    try {
                        return method.invoke(ds, args);
                    } catch (InvocationTargetException e) {
                        // the data source's own failure, not the reflection's
                        throw e.getCause();
                    }
                });
    }

    /** Counts the rows, giving up after {@link #LONGEST_QUEUED_READ} and a little. */
    private static long count(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.setQueryTimeout((int) LONGEST_QUEUED_READ.toSeconds() + 1);
            try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM agent_presences")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Whether a {@code RENAME TABLE} of this test's database waits for a metadata lock. */
    private boolean renameWaitsForTheTable() throws SQLException {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM"
                + " information_schema.processlist WHERE db = ? AND info LIKE 'RENAME TABLE%'"
                + " AND state = 'Waiting for table metadata lock'")) {
            ps.setString(1, db.name());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1) > 0;
            }
        }
    }

    /** The deletion ledger's entries, as {@code user_id=deleted_ts}. */
    private List<String> ledger() throws SQLException {
        return Sql.strings(db, "SELECT CONCAT(user_id, '=', deleted_ts) FROM agent_presence_tombstones ORDER BY user_id");
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

package io.agentpresence.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.zaxxer.hikari.HikariDataSource;
import io.agentpresence.consumer.config.PresenceConsumerConfig;
import io.agentpresence.consumer.error.FailureClassifier;
import io.agentpresence.consumer.ops.PresenceMetrics;
import io.agentpresence.consumer.recovery.Rebuild;
import io.agentpresence.consumer.sink.DataSourceFactory;
import io.agentpresence.consumer.sink.SqlDialect;
import io.agentpresence.consumer.support.ConsumerFixture;
import io.agentpresence.consumer.support.Failures;
import io.agentpresence.consumer.support.Counters;
import io.agentpresence.consumer.support.PresenceTable;
import io.agentpresence.consumer.support.StoredPositions;
import io.agentpresence.embedded.junit.KafkaEndpoint;
import io.agentpresence.embedded.junit.PresenceInfrastructure;
import io.agentpresence.embedded.junit.TestDatabase;
import io.agentpresence.model.PresenceEvent;
import io.agentpresence.model.PresencePublisher;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * Stored positions that no longer lie within the log: records removed below them (retention, delete-records),
 * a log that ends before them, positions of partitions the topic does not have. None may be skipped silently,
 * and none may keep a reader waiting forever.
 */
@ExtendWith(PresenceInfrastructure.class)
class LogRangeIT {

    private static final Duration CONVERGE = Duration.ofSeconds(60);
    private static final Duration REBUILD_BOUND = Duration.ofSeconds(60);
    private static final int APPLIED = 10;

    private ConsumerFixture fixture;
    private TestDatabase db;
    private PresenceTable table;
    private String topic;
    private String group;
    private PresencePublisher publisher;

    @BeforeEach
    void setUp(KafkaEndpoint kafka, TestDatabase db) throws Exception {
        this.fixture = new ConsumerFixture(kafka, db);
        this.db = db;
        this.table = new PresenceTable(db);
        this.topic = fixture.topic("range", 1);
        this.group = "range-" + topic;
        this.publisher = fixture.publisher(topic);
        publish(1, APPLIED);
        try (ConsumerService first = ConsumerService.start(PresenceConsumerConfig.fromMap(fixture.settings(topic, group)))) {
            await().atMost(CONVERGE).until(() -> StoredPositions.read(db, group, topic).equals(Map.of(0, (long) APPLIED)));
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    @Test
    void recordsRemovedFromTheLogBeforeTheyWereAppliedAreLoggedAndCounted() throws Exception {
        publish(APPLIED + 1, 2 * APPLIED);
        long logStart = APPLIED + 5;
        try (Admin admin = fixture.admin()) {
            admin.deleteRecords(Map.of(new TopicPartition(topic, 0), RecordsToDelete.beforeOffset(logStart))).all()
                    .get(30, TimeUnit.SECONDS);
        }
        ListAppender<ILoggingEvent> warnings = captureWarnings();

        ConsumerService service = fixture.start(fixture.settings(topic, group));
        await().atMost(CONVERGE).until(() -> StoredPositions.read(db, group, topic).equals(Map.of(0, 2L * APPLIED)));

        assertThat(Counters.sum(service, PresenceMetrics.RECORDS_LOST)).isEqualTo(logStart - APPLIED);
        assertThat(warnings.list).map(ILoggingEvent::getFormattedMessage)
                .anySatisfy(line -> assertThat(line).contains(topic + "-0").contains((logStart - APPLIED) + " records")
                        .contains("removed from the log"));
        assertThat(table.rows()).containsKeys("u" + (logStart + 1), "u" + 2 * APPLIED).doesNotContainKey("u" + logStart);
        assertThat(service.failure()).isNull();
    }

    @Test
    void recordsRemovedFromTheLogAreCountedOnceHoweverOftenThePositionIsReadAgain() throws Exception {
        publish(APPLIED + 1, 2 * APPLIED);
        try (Admin admin = fixture.admin()) {
            admin.deleteRecords(Map.of(new TopicPartition(topic, 0), RecordsToDelete.beforeOffset(2L * APPLIED))).all()
                    .get(30, TimeUnit.SECONDS);
        }
        PresenceConsumerConfig config = PresenceConsumerConfig.fromMap(fixture.settings(topic, group));
        try (ConsumerService first = ConsumerService.start(config)) {
            await().atMost(CONVERGE).until(() -> Counters.sum(first, PresenceMetrics.RECORDS_LOST) > 0);
            assertThat(Counters.sum(first, PresenceMetrics.RECORDS_LOST)).isEqualTo(APPLIED);
        }

        // nothing was written since: the next owner reads the position the loss left behind
        ConsumerService second = fixture.start(fixture.settings(topic, group));
        publish(2 * APPLIED + 1, 2 * APPLIED + 1);
        await().atMost(CONVERGE).until(() -> table.row("u" + (2 * APPLIED + 1)).isPresent());

        assertThat(Counters.sum(second, PresenceMetrics.RECORDS_LOST)).as("the same loss counted again").isZero();
        assertThat(StoredPositions.read(db, group, topic)).isEqualTo(Map.of(0, 2L * APPLIED + 1));
    }

    @Test
    void recordsRemovedBelowTheFetchPositionWhileTheConsumerReadsAreCountedAndNothingElseIsLost() throws Exception {
        Map<String, String> settings = new HashMap<>(fixture.settings(topic, group));
        // one record per fetch and per poll: while its writes wait, the next batch fills up at once, and the
        // consumer holds only a few records beyond its position
        settings.put("kafka.max.partition.fetch.bytes", "1");
        settings.put("max.poll.records", "1");
        int published = 5 * APPLIED;
        long logStart = 4L * APPLIED;
        ListAppender<ILoggingEvent> warnings = captureWarnings();
        ConsumerService service;
        try (Connection lock = db.connect(); Statement s = lock.createStatement()) {
            // the consumer's writes wait for this row lock: it falls behind while it reads, its partition assigned
            lock.setAutoCommit(false);
            s.executeQuery("SELECT next_offset FROM agent_presence_offsets WHERE group_id = '" + group + "' FOR UPDATE")
                    .close();
            service = fixture.start(settings);
            publish(APPLIED + 1, published);
            // its first write has fetched records and waits for the lock: the position it reads from is in hand
            await().atMost(CONVERGE).until(() -> writesWaitingForPositions() > 0);
            try (Admin admin = fixture.admin()) {
                admin.deleteRecords(Map.of(new TopicPartition(topic, 0), RecordsToDelete.beforeOffset(logStart))).all()
                        .get(30, TimeUnit.SECONDS);
            }
            lock.rollback();
        }
        await().atMost(CONVERGE)
                .until(() -> StoredPositions.read(db, group, topic).equals(Map.of(0, (long) published)));

        Map<String, PresenceTable.Row> rows = table.rows();
        List<Integer> missing = IntStream.rangeClosed(1, published).filter(i -> !rows.containsKey("u" + i)).boxed()
                .toList();
        // the records removed before they were applied, and only those: every other one is in the table
        assertThat(missing).isNotEmpty().allMatch(i -> i > APPLIED && i <= logStart);
        assertThat(Counters.sum(service, PresenceMetrics.RECORDS_LOST)).isEqualTo(missing.size());
        assertThat(warnings.list).map(ILoggingEvent::getFormattedMessage)
                .anySatisfy(line -> assertThat(line).contains(topic + "-0").contains(missing.size() + " records")
                        .contains("removed from the log"));
        assertThat(service.failure()).isNull();
    }

    @Test
    void aStoredPositionBeyondTheLogEndStopsTheConsumerWithWhatToDo() throws Exception {
        storePosition(0, 5L * APPLIED);

        ConsumerService service = fixture.start(fixture.settings(topic, group));
        await().atMost(CONVERGE).until(() -> service.failure() != null
                || !StoredPositions.read(db, group, topic).equals(Map.of(0, 5L * APPLIED)));

        assertThat(service.failure()).as("the consumer stops").isNotNull();
        assertThat(Failures.messages(service.failure())).contains(topic + "-0").contains("beyond the log end " + APPLIED)
                .contains("DELETE FROM agent_presence_offsets");
        assertThat(StoredPositions.read(db, group, topic)).isEqualTo(Map.of(0, 5L * APPLIED));
    }

    @Test
    void positionsOfAPartitionTheTopicDoesNotHaveStopTheConsumerWithWhatToDo() throws Exception {
        storePosition(3, 7);

        ConsumerService service = fixture.start(fixture.settings(topic, group));
        publish(APPLIED + 1, APPLIED + 1);
        await().atMost(CONVERGE).until(() -> service.failure() != null || table.row("u" + (APPLIED + 1)).isPresent());

        assertThat(service.failure()).as("the consumer stops").isNotNull();
        assertThat(Failures.messages(service.failure())).contains("partitions [3] of topic " + topic)
                .contains("kafka_partition >= 1");
    }

    @Test
    void aRebuildRefusesAStoredPositionBeyondTheLogEndInsteadOfWaitingForever() throws Exception {
        storePosition(0, 5L * APPLIED);

        assertThatThrownBy(this::rebuild).hasMessageContaining(topic + "-0 up to offset " + 5 * APPLIED)
                .hasMessageContaining("log ends at " + APPLIED);
    }

    @Test
    void aRebuildRefusesPositionsOfAPartitionTheTopicDoesNotHave() throws Exception {
        storePosition(3, 7);

        assertThatThrownBy(this::rebuild).hasMessageContaining("partitions [3] of topic " + topic);
    }

    private void rebuild() throws Exception {
        PresenceConsumerConfig config = PresenceConsumerConfig.fromMap(fixture.settings(topic, group));
        assertTimeoutPreemptively(REBUILD_BOUND, () -> {
            try (HikariDataSource ds = DataSourceFactory.create(db.jdbcUrl(), db.user(), db.password(), 2)) {
                new Rebuild(config, ds, SqlDialect.of(ds), new FailureClassifier(), new PrintWriter(new StringWriter(), true),
                        Rebuild.DEFAULT_LOCK_BUDGET).run(false);
            }
        });
    }

    private void publish(int first, int last) throws Exception {
        for (int i = first; i <= last; i++) {
            publisher.publish(new PresenceEvent("u" + i, "online", 1_000 + i, null)).get();
        }
    }

    /** Sets a partition's stored position as a restore from elsewhere, or a truncated log, would leave it. */
    private void storePosition(int partition, long next) throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO agent_presence_offsets (group_id, topic, kafka_partition, next_offset)"
                    + " VALUES ('" + group + "', '" + topic + "', " + partition + ", " + next + ")"
                    + " ON DUPLICATE KEY UPDATE next_offset = VALUES(next_offset)");
        }
    }

    private ListAppender<ILoggingEvent> captureWarnings() {
        // the whole consumer: whichever class notices the removed records must say so
        Logger logger = (Logger) LoggerFactory.getLogger("io.agentpresence.consumer");
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.setContext(logger.getLoggerContext());
        appender.start();
        logger.addAppender(appender);
        fixture.closeLater(() -> logger.detachAppender(appender));
        return appender;
    }

    /** Transactions of this server waiting for a row lock of the position table: the consumer's writes, here. */
    private long writesWaitingForPositions() throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT COUNT(*) FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT'"
                     + " AND trx_query LIKE '%agent_presence_offsets%'")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}

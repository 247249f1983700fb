package io.agentpresence.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.agentpresence.consumer.config.PresenceConsumerConfig;
import io.agentpresence.consumer.error.FailureClassifier;
import io.agentpresence.consumer.recovery.Rebuild;
import io.agentpresence.consumer.sink.DataSourceFactory;
import io.agentpresence.consumer.sink.SchemaMigrator;
import io.agentpresence.consumer.sink.SqlDialect;
import io.agentpresence.consumer.support.ConsumerFixture;
import io.agentpresence.consumer.support.PresenceTable;
import io.agentpresence.consumer.support.PresenceTable.Row;
import io.agentpresence.consumer.support.StoredPositions;
import io.agentpresence.consumer.support.TopicReader;
import io.agentpresence.embedded.junit.KafkaEndpoint;
import io.agentpresence.embedded.junit.PresenceInfrastructure;
import io.agentpresence.embedded.junit.TestDatabase;
import io.agentpresence.model.PresenceEvent;
import io.agentpresence.model.PresenceEventCodec;
import io.agentpresence.model.PresencePublisher;
import io.agentpresence.model.PresenceTopics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A tombstone's time is bounded like an event's: one stamped far ahead is dead-lettered instead of deleting the
 * row and swallowing the user's later events; the deletion ledger is pruned after its retention and rebuilt by
 * {@code rebuild} from the tombstones the topic holds.
 */
@ExtendWith(PresenceInfrastructure.class)
class TombstoneTimeIT {

    private static final Duration CONVERGE = Duration.ofSeconds(60);
    private static final long MINUTE = Duration.ofMinutes(1).toMillis();
    private static final long DAY = Duration.ofDays(1).toMillis();

    private ConsumerFixture fixture;
    private TestDatabase db;
    private PresenceTable table;
    private KafkaProducer<byte[], byte[]> producer;

    @BeforeEach
    void setUp(KafkaEndpoint kafka, TestDatabase db) {
        this.fixture = new ConsumerFixture(kafka, db);
        this.db = db;
        this.table = new PresenceTable(db);
        this.producer = fixture.rawProducer();
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    @Test
    void aTombstoneStampedHalfAnHourAheadIsDeadLetteredAndTheUsersNextEventApplies() throws Exception {
        String topic = fixture.topic("future-tombstone", 1);
        String group = topic + "-group";
        fixture.start(fixture.settings(topic, group));
        PresencePublisher p = fixture.publisher(topic);

        long now = System.currentTimeMillis();
        p.publish(new PresenceEvent("u1", "online", now - 1_000, "before")).get();
        long ahead = now + 30 * MINUTE;
        tombstone(topic, "u1", ahead);
        long later = System.currentTimeMillis();
        p.publish(new PresenceEvent("u1", "busy", later, "after")).get();

        await().atMost(CONVERGE).until(() -> StoredPositions.total(db, group, topic) == 3);
        assertThat(table.row("u1")).contains(new Row("u1", "busy", later, "after"));
        assertThat(ledger()).doesNotContainKey("u1");
        List<ConsumerRecord<byte[], byte[]>> letters = TopicReader.readAll(fixture.bootstrapServers(), topic + ".dlq", 1);
        assertThat(letters).hasSize(1);
        ConsumerRecord<byte[], byte[]> letter = letters.get(0);
        assertThat(letter.value()).isNull();
        assertThat(letter.timestamp()).isEqualTo(ahead);
        assertThat(new String(letter.headers().lastHeader(PresenceTopics.HEADER_REASON).value(), StandardCharsets.UTF_8))
                .isEqualTo("ts-in-future");
    }

    @Test
    void theServicePrunesLedgerEntriesOlderThanTheRetentionAndKeepsNewerOnes() throws Exception {
        String topic = fixture.topic("ledger-prune", 1);
        try (HikariDataSource ds = DataSourceFactory.create(db.jdbcUrl(), db.user(), db.password(), 2)) {
            SchemaMigrator.migrate(ds);
        }
        long now = System.currentTimeMillis();
        sql("INSERT INTO agent_presence_tombstones (user_id, deleted_ts) VALUES ('expired', " + (now - 2 * 60 * MINUTE)
                + "), ('kept', " + (now - MINUTE) + ")");
        Map<String, String> settings = fixture.settings(topic, topic + "-group");
        settings.put("tombstone.retention", "1h");

        fixture.start(settings);

        await().atMost(CONVERGE).until(() -> !ledger().containsKey("expired"));
        assertThat(ledger()).containsOnlyKeys("kept");
    }

    @Test
    void aRebuildReplacesAWrongLedgerWithTheTopicsTombstonesWithinTheRetention() throws Exception {
        String topic = fixture.topic("ledger-rebuild", 2);
        String group = topic + "-group";
        Map<String, String> settings = fixture.settings(topic, group);
        fixture.start(settings);
        PresencePublisher p = fixture.publisher(topic);
        long now = System.currentTimeMillis();
        p.publish(new PresenceEvent("u1", "online", now - 5_000, "a")).get();
        p.publish(new PresenceEvent("u2", "online", now - 5_000, "a")).get();
        long deleted = now - 1_000;
        tombstone(topic, "u2", deleted);
        p.publish(new PresenceEvent("u3", "online", now - 3 * DAY, "a")).get();
        tombstone(topic, "u3", now - 2 * DAY);
        await().atMost(CONVERGE).until(() -> StoredPositions.total(db, group, topic) == 5);
        // what a tombstone stamped half an hour ahead left behind before such tombstones were refused, and an
        // entry for a deletion the topic does not hold
        sql("DELETE FROM agent_presences WHERE user_id = 'u1'",
                "INSERT INTO agent_presence_tombstones (user_id, deleted_ts) VALUES ('u1', " + (now + 30 * MINUTE)
                        + "), ('phantom', " + now + ")");

        try (HikariDataSource ds = DataSourceFactory.create(db.jdbcUrl(), db.user(), db.password(), 2)) {
            new Rebuild(PresenceConsumerConfig.fromMap(settings), ds, SqlDialect.of(ds), new FailureClassifier(),
                    new PrintWriter(new StringWriter(), true), Rebuild.DEFAULT_LOCK_BUDGET).run(false);
        }

        assertThat(ledger()).isEqualTo(Map.of("u2", deleted));
        assertThat(tableExists(Rebuild.SHADOW_TOMBSTONES)).isFalse();
        assertThat(tableExists(Rebuild.OLD_TOMBSTONES)).isFalse();
        assertThat(table.rows()).containsOnlyKeys("u1");
        long later = System.currentTimeMillis();
        p.publish(new PresenceEvent("u1", "busy", later, "after")).get();
        await().atMost(CONVERGE).until(() -> StoredPositions.total(db, group, topic) == 6);
        assertThat(table.row("u1")).contains(new Row("u1", "busy", later, "after"));
    }

    private void tombstone(String topic, String userId, long timestamp) throws Exception {
        producer.send(new ProducerRecord<>(topic, null, timestamp, PresenceEventCodec.key(userId), (byte[]) null)).get();
    }

    private Map<String, Long> ledger() throws SQLException {
        Map<String, Long> entries = new TreeMap<>();
        try (Connection c = db.connect();
             PreparedStatement ps = c.prepareStatement("SELECT user_id, deleted_ts FROM agent_presence_tombstones");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                entries.put(rs.getString(1), rs.getLong(2));
            }
        }
        return entries;
    }

    private boolean tableExists(String name) throws SQLException {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?")) {
            ps.setString(1, db.name());
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private void sql(String... statements) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }
}

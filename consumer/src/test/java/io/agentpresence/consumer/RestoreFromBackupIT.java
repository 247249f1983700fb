package io.agentpresence.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agentpresence.consumer.ops.PresenceMetrics;
import io.agentpresence.consumer.support.ConsumerFixture;
import io.agentpresence.consumer.support.Counters;
import io.agentpresence.consumer.support.PresenceModel;
import io.agentpresence.consumer.support.PresenceTable;
import io.agentpresence.consumer.support.StoredPositions;
import io.agentpresence.consumer.support.TopicReader;
import io.agentpresence.embedded.junit.KafkaEndpoint;
import io.agentpresence.embedded.junit.PresenceInfrastructure;
import io.agentpresence.embedded.junit.TestDatabase;
import io.agentpresence.model.PresenceEvent;
import io.agentpresence.model.PresencePublisher;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The database is put back to an older state under a running consumer, as a restore from backup would:
 * rows gone or older, partition positions behind or missing. The consumer's next batch finds the stored
 * position moved, and it must replay the gap from the topic on its own until the table is whole again.
 */
@ExtendWith(PresenceInfrastructure.class)
class RestoreFromBackupIT {

    private static final Duration CONVERGE = Duration.ofSeconds(30);
    private static final int PARTITIONS = 3;
    private static final int USERS = 200;
    private static final List<String> TABLES = List.of("agent_presences", "agent_presence_tombstones",
            "agent_presence_offsets");

    private final Random random = new Random(23);
    private final PresenceModel model = new PresenceModel();
    private ConsumerFixture fixture;
    private TestDatabase db;
    private PresenceTable table;
    private String topic;
    private String dlq;
    private String group;
    private PresencePublisher publisher;
    private ConsumerService service;

    @BeforeEach
    void setUp(KafkaEndpoint kafka, TestDatabase db) throws Exception {
        this.fixture = new ConsumerFixture(kafka, db);
        this.db = db;
        this.table = new PresenceTable(db);
        this.topic = fixture.topic("restore", PARTITIONS);
        this.dlq = fixture.topic("restore-dlq", 1);
        this.group = "restore-" + topic;
        this.publisher = fixture.publisher(topic);
        this.service = startConsumer();
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    @Test
    void aBackupTakenMidStreamAndRestoredUnderTheConsumerIsCaughtUpByReplayingWhatItLacks() throws Exception {
        publish(1_500);
        retire(5);
        awaitTableMatchesModel();
        long atBackup = model.records();
        Map<String, PresenceTable.Row> rowsAtBackup = table.rows();
        sql("CREATE TABLE backup_%1$s LIKE %1$s", "INSERT INTO backup_%1$s SELECT * FROM %1$s");
        publish(1_500);
        awaitTableMatchesModel();
        long beforeRestore = model.records();

        sql("DELETE FROM %1$s", "INSERT INTO %1$s SELECT * FROM backup_%1$s");
        assertThat(table.rows()).isEqualTo(rowsAtBackup).isNotEqualTo(model.rows());
        assertThat(StoredPositions.total(db, group, topic)).isEqualTo(atBackup);
        publish(30);

        awaitTableMatchesModel();
        assertReplayedWithoutDeadLetters(beforeRestore + (beforeRestore - atBackup) + 30);
    }

    @Test
    void anEmptiedTableWithEveryPositionRewoundToZeroIsRebuiltFromTheWholeTopic() throws Exception {
        publish(2_000);
        retire(5);
        awaitTableMatchesModel();
        long beforeRestore = model.records();

        sql("DELETE FROM agent_presences", "DELETE FROM agent_presence_tombstones",
                "UPDATE agent_presence_offsets SET next_offset = 0");
        assertThat(table.count()).isZero();
        publish(30);

        awaitTableMatchesModel();
        assertReplayedWithoutDeadLetters(2 * beforeRestore + 30);
    }

    @Test
    void whenTheStoredPositionsAreGoneAndSomeRowsWithThemTheConsumerReplaysFromTheBeginning() throws Exception {
        publish(2_000);
        retire(5);
        awaitTableMatchesModel();
        long beforeRestore = model.records();

        sql("DELETE FROM agent_presences WHERE MOD(CRC32(user_id), 3) = 0", "DELETE FROM agent_presence_offsets");
        assertThat(table.count()).isLessThan(model.rows().size());
        assertThat(StoredPositions.read(db, group, topic)).isEmpty();
        publish(30);

        awaitTableMatchesModel();
        assertReplayedWithoutDeadLetters(2 * beforeRestore + 30);
    }

    private ConsumerService startConsumer() throws Exception {
        Map<String, String> settings = fixture.settings(topic, group);
        settings.put("dlq.topic", dlq);
        settings.put("retry.backoff.max", "1s");
        return fixture.start(settings);
    }

    /** Publishes {@code count} events over the users; ts rises with the stream, give or take 100 ms. */
    private void publish(int count) throws Exception {
        List<CompletableFuture<?>> sends = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String status = List.of("online", "away", "busy", "offline").get(random.nextInt(4));
            long seq = model.records();
            PresenceEvent event = new PresenceEvent("user-" + random.nextInt(USERS), status,
                    1_000 + seq + random.nextInt(100), "s" + seq);
            model.published(event);
            sends.add(publisher.publish(event));
        }
        CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get();
    }

    /** Users who get one event and then a tombstone, so a replay must go through the deletion ledger too. */
    private void retire(int users) throws Exception {
        for (int i = 0; i < users; i++) {
            String user = "retired-" + i;
            PresenceEvent event = new PresenceEvent(user, "online", 1_000 + model.records(), "retiring");
            model.published(event);
            publisher.publish(event);
            model.deleted(user);
            publisher.delete(user).get();
        }
    }

    private void awaitTableMatchesModel() {
        await().atMost(CONVERGE).until(() -> StoredPositions.total(db, group, topic) == model.records()
                && table.rows().equals(model.rows()));
    }

    private void assertReplayedWithoutDeadLetters(long minimumConsumed) throws Exception {
        assertThat(table.rows()).isEqualTo(model.rows());
        assertThat(StoredPositions.read(db, group, topic).values()).hasSize(PARTITIONS);
        assertThat(count(PresenceMetrics.PARTITIONS_FENCED)).as("batches fenced by the moved position").isPositive();
        assertThat(count(PresenceMetrics.EVENTS_CONSUMED)).as("records consumed, the replayed ones included")
                .isGreaterThanOrEqualTo(minimumConsumed);
        assertThat(count(PresenceMetrics.EVENTS_DEAD_LETTERED)).isZero();
        assertThat(count(PresenceMetrics.EVENTS_REJECTED)).isZero();
        assertThat(TopicReader.readAll(fixture.bootstrapServers(), dlq)).isEmpty();
        assertThat(service.failure()).isNull();
        assertThat(service.isReady()).isTrue();
    }

    /**
     * Runs statements in one transaction, as a restore would apply them; a statement with {@code %1$s} runs once
     * per table of the schema, with the table's name in its place.
     */
    private void sql(String... statements) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            for (String statement : statements) {
                if (statement.contains("%1$s")) {
                    for (String t : TABLES) {
                        s.execute(String.format(statement, t));
                    }
                } else {
                    s.execute(statement);
                }
            }
            c.commit();
        }
    }

    private double count(String meter) {
        return Counters.sum(service, meter);
    }
}

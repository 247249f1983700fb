package io.agentpresence.consumer;

import io.agentpresence.consumer.config.PresenceConsumerConfig;
import io.agentpresence.consumer.error.FailureClassifier;
import io.agentpresence.consumer.engine.ConsumerListener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.agentpresence.consumer.recovery.Replay;
import io.agentpresence.consumer.sink.DataSourceFactory;
import io.agentpresence.consumer.sink.OffsetStore;
import io.agentpresence.consumer.sink.PresenceWriter;
import io.agentpresence.consumer.sink.SchemaMigrator;
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
import io.agentpresence.model.PresenceEventCodec;
import io.agentpresence.model.PresencePublisher;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code replay}: re-applying the topic to the live table is harmless, repairs an older table, and leaves the group be. */
@ExtendWith(PresenceInfrastructure.class)
class ReplayIT {

    private static final Duration CONVERGE = Duration.ofSeconds(60);
    private static final List<String> STATUSES = List.of("online", "away", "busy", "offline");

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

    /** Publishes {@code count} events over {@code users} users with event times from a narrow range (ties happen). */
    private static void publish(PresencePublisher p, PresenceModel model, Random random, int count, int users,
                                String tag) throws Exception {
        for (int i = 0; i < count; i++) {
            PresenceEvent event = new PresenceEvent("user-" + random.nextInt(users),
                    STATUSES.get(random.nextInt(STATUSES.size())), 1 + random.nextInt(2_000), tag + i);
            p.publish(event);
            model.published(event);
        }
        p.flush();
    }

    private long storedPositions(String group, String topic) throws Exception {
        return StoredPositions.total(db, group, topic);
    }

    private Path configFile(String topic, String group) throws Exception {
        return ConfigFile.write(dir, fixture.settings(topic, group));
    }

    @Test
    void aFullReplayAfterTheLiveConsumerLeavesTheTableUnchangedAndReportsWhatItDid() throws Exception {
        String topic = fixture.topic("replay-same", 3);
        String group = topic + "-live";
        PresenceModel model = new PresenceModel();
        fixture.start(fixture.settings(topic, group));
        publish(fixture.publisher(topic), model, new Random(11), 600, 80, "a");
        await().atMost(CONVERGE).until(() -> storedPositions(group, topic) == 600);
        Map<String, Row> before = table.rows();
        assertThat(before).isEqualTo(model.rows());

        ConsumerCommand replay = ConsumerCommand.run("replay", "--from", "earliest", "--config",
                configFile(topic, group).toString());

        System.out.print(replay.err());
        assertThat(replay.exitCode()).as(replay.toString()).isZero();
        List<String> lines = replay.errLines();
        assertThat(lines.get(0)).isEqualTo("replay: " + topic + " from the beginning, 600 events to the end offsets seen now");
        assertThat(lines.get(lines.size() - 1))
                .matches("replay: done, 600 events in \\d+\\.\\d+ s \\([\\d,]+ events/s\\); 0 invalid records skipped");
        assertThat(table.rows()).isEqualTo(before);
        assertThat(storedPositions(group, topic)).isEqualTo(600);
    }

    @Test
    void anOlderCopyOfTheTableCatchesUpWithTheTopic() throws Exception {
        String topic = fixture.topic("replay-restore", 2);
        String group = topic + "-live";
        PresenceModel model = new PresenceModel();
        ConsumerService live = fixture.start(fixture.settings(topic, group));
        publish(fixture.publisher(topic), model, new Random(12), 800, 100, "b");
        await().atMost(CONVERGE).until(() -> storedPositions(group, topic) == 800);
        live.close();
        // as if an older backup came back: half the users missing, the others at older events; positions kept
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            int deleted = s.executeUpdate("DELETE FROM agent_presences WHERE CRC32(user_id) % 2 = 0");
            int aged = s.executeUpdate("UPDATE agent_presences SET event_ts = 0, status = 'offline', source = 'backup'");
            assertThat(deleted).isGreaterThan(20);
            assertThat(aged).isGreaterThan(20);
        }
        assertThat(table.rows()).isNotEqualTo(model.rows());

        PresenceConsumerConfig config = PresenceConsumerConfig.fromMap(fixture.settings(topic, group));
        StringWriter out = new StringWriter();
        long applied;
        try (HikariDataSource ds = DataSourceFactory.create(db.jdbcUrl(), db.user(), db.password(), 1)) {
            applied = new Replay(config, PresenceWriter.forServer(ds, new OffsetStore(group)), new FailureClassifier(),
                    new PrintWriter(out))
                    .run(null);
        }

        assertThat(applied).isEqualTo(800);
        assertThat(table.rows()).isEqualTo(model.rows());
        assertThat(storedPositions(group, topic)).isEqualTo(800);
        assertThat(out.toString()).contains("replay: done, 800 events");
    }

    @Test
    void replayFromAnInstantAppliesOnlyTheRecordsStampedAtOrAfterIt() throws Exception {
        String topic = fixture.topic("replay-from", 2);
        String group = topic + "-live";
        long second = Instant.now().minus(Duration.ofHours(1)).toEpochMilli();
        long first = second - 1;
        PresenceModel later = new PresenceModel();
        PresenceEventCodec codec = new PresenceEventCodec();
        KafkaProducer<byte[], byte[]> producer = fixture.rawProducer();
        for (int i = 0; i < 120; i++) {
            PresenceEvent event = new PresenceEvent("user-" + (i % 30), "online", 100 + i, "before");
            producer.send(new ProducerRecord<>(topic, null, first, PresenceEventCodec.key(event.userId()),
                    codec.encode(event)));
        }
        for (int i = 0; i < 45; i++) {
            PresenceEvent event = new PresenceEvent("user-" + (i % 15), "busy", 1_000 + i, "after");
            producer.send(new ProducerRecord<>(topic, null, second, PresenceEventCodec.key(event.userId()),
                    codec.encode(event)));
            later.published(event);
        }
        producer.flush();
        Path config = configFile(topic, group);

        ConsumerCommand replay = ConsumerCommand.run("replay", "--from", Instant.ofEpochMilli(second).toString(),
                "--config", config.toString());

        assertThat(replay.exitCode()).as(replay.toString()).isZero();
        assertThat(replay.err()).contains("replay: " + topic + " from " + Instant.ofEpochMilli(second)
                + ", 45 events to the end offsets seen now");
        assertThat(replay.errLines().get(replay.errLines().size() - 1)).startsWith("replay: done, 45 events in ");
        assertThat(table.rows()).isEqualTo(later.rows());

        ConsumerCommand bad = ConsumerCommand.run("replay", "--from", "yesterday", "--config", config.toString());

        assertThat(bad.exitCode()).as(bad.toString()).isEqualTo(2);
        assertThat(bad.err()).contains("--from: expected 'earliest' or an ISO-8601 instant")
                .contains("not 'yesterday'");
        assertThat(table.rows()).isEqualTo(later.rows());
    }

    @Test
    void aReplayLeavesTheRunningGroupAlone() throws Exception {
        String topic = fixture.topic("replay-group", 3);
        String group = topic + "-live";
        List<TopicPartition> assigned = new CopyOnWriteArrayList<>();
        List<TopicPartition> revoked = new CopyOnWriteArrayList<>();
        ConsumerListener listener = new ConsumerListener() {
            @Override
            public void onAssigned(Collection<TopicPartition> partitions) {
                assigned.addAll(partitions);
            }

            @Override
            public void onRevoked(Collection<TopicPartition> partitions) {
                revoked.addAll(partitions);
            }
        };
        fixture.start(fixture.settings(topic, group), listener);
        PresencePublisher p = fixture.publisher(topic);
        PresenceModel model = new PresenceModel();
        Random random = new Random(13);
        publish(p, model, random, 600, 60, "c");
        await().atMost(CONVERGE).until(() -> storedPositions(group, topic) == 600);
        assertThat(assigned).hasSize(3);

        PresenceConsumerConfig config = PresenceConsumerConfig.fromMap(fixture.settings(topic, group));
        Thread more = new Thread(() -> {
            try {
                publish(p, model, random, 400, 60, "d");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "publish-during-replay");
        more.start();
        long replayed;
        try (HikariDataSource ds = DataSourceFactory.create(db.jdbcUrl(), db.user(), db.password(), 1)) {
            replayed = new Replay(config, PresenceWriter.forServer(ds, new OffsetStore(group)), new FailureClassifier(),
                    new PrintWriter(new StringWriter())).run(null);
        }
        more.join();

        await().atMost(CONVERGE).until(() -> storedPositions(group, topic) == 1_000);
        assertThat(replayed).isBetween(600L, 1_000L);
        assertThat(revoked).isEmpty();
        assertThat(assigned).hasSize(3);
        assertThat(members(group)).isEqualTo(1);
        assertThat(table.rows()).isEqualTo(model.rows());
    }

    @Test
    void aReplaySkipsOnlyTheEventsTheDatabaseRefuses() throws Exception {
        String topic = fixture.topic("replay-refused", 1);
        Map<String, String> settings = fixture.settings(topic, topic + "-live");
        try (HikariDataSource ds = DataSourceFactory.create(db.jdbcUrl(), db.user(), db.password(), 2)) {
            SchemaMigrator.migrate(ds);
        }
        // the codec allows 64 characters of source; a narrower column makes the database the one to refuse
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE agent_presences MODIFY source VARCHAR(8) NULL");
        }
        PresencePublisher p = fixture.publisher(topic);
        PresenceModel model = new PresenceModel();
        for (int i = 0; i < 200; i++) {
            boolean refused = i % 50 == 7;
            PresenceEvent event = new PresenceEvent("user-" + i, "away", 10 + i, refused ? "far-too-long-a-source" : "ok");
            p.publish(event);
            if (!refused) {
                model.published(event);
            }
        }
        p.flush();

        ConsumerCommand replay = ConsumerCommand.run("replay", "--from", "earliest", "--config",
                ConfigFile.write(dir, settings).toString());

        assertThat(replay.exitCode()).as(replay.toString()).isZero();
        assertThat(replay.errLines().get(replay.errLines().size() - 1))
                .matches("replay: done, 200 events in .*; 4 invalid records skipped");
        assertThat(table.rows()).isEqualTo(model.rows());
    }

    private int members(String group) throws Exception {
        try (Admin admin = fixture.admin()) {
            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
            return description.members().size();
        }
    }
}

package io.agentpresence.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agentpresence.consumer.config.PresenceConsumerConfig;
import io.agentpresence.consumer.recovery.Rebuild;
import io.agentpresence.consumer.support.ConfigFile;
import io.agentpresence.consumer.support.ConsumerFixture;
import io.agentpresence.consumer.support.Failures;
import io.agentpresence.consumer.support.PresenceTable;
import io.agentpresence.consumer.support.Sql;
import io.agentpresence.consumer.support.StoredPositions;
import io.agentpresence.embedded.KafkaTopics;
import io.agentpresence.embedded.junit.KafkaEndpoint;
import io.agentpresence.embedded.junit.PresenceInfrastructure;
import io.agentpresence.embedded.junit.TestDatabase;
import io.agentpresence.model.PresenceEvent;
import io.agentpresence.model.PresencePublisher;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.TopicExistsException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stored positions belong to one incarnation of the topic: a topic deleted and created again under the same name
 * is a new log, and its offsets say nothing about the old one's.
 */
@ExtendWith(PresenceInfrastructure.class)
class TopicIncarnationIT {

    private static final Duration CONVERGE = Duration.ofSeconds(60);
    private static final int OLD_RECORDS = 5;
    private static final int NEW_RECORDS = 8;

    private ConsumerFixture fixture;
    private TestDatabase db;
    private PresenceTable table;
    private String topic;
    private String group;
    @TempDir
    Path dir;

    @BeforeEach
    void setUp(KafkaEndpoint kafka, TestDatabase db) throws Exception {
        this.fixture = new ConsumerFixture(kafka, db);
        this.db = db;
        this.table = new PresenceTable(db);
        this.topic = fixture.topic("incarnation", 1);
        this.group = "incarnation-" + topic;
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    @Test
    void aTopicRecreatedUnderTheSameNameStopsTheConsumerInsteadOfSkippingItsFirstRecords() throws Exception {
        consumeOldIncarnation();
        recreateTopic();
        publish("new", NEW_RECORDS);

        ConsumerService service = fixture.start(fixture.settings(topic, group));
        await().atMost(CONVERGE).until(() -> service.failure() != null || table.row("new" + NEW_RECORDS).isPresent());

        assertThat(usersOf("new")).as("records of the recreated topic in the table: all of them or none, never the"
                + " last ones alone").satisfiesAnyOf(users -> assertThat(users).isEmpty(),
                users -> assertThat(users).hasSize(NEW_RECORDS));
        assertThat(service.failure()).as("the consumer stops on a recreated topic").isNotNull();
        assertThat(Failures.messages(service.failure())).contains(topic).contains("recreated")
                .contains(PresenceConsumerConfig.RECREATED_TOPIC_POLICY.name()).contains("DELETE FROM agent_presence_offsets");
        assertThat(StoredPositions.read(db, group, topic)).isEqualTo(Map.of(0, (long) OLD_RECORDS));
    }

    @Test
    void withTheResetPolicyARecreatedTopicIsReadFromItsBeginning() throws Exception {
        consumeOldIncarnation();
        recreateTopic();
        publish("new", NEW_RECORDS);

        Map<String, String> settings = fixture.settings(topic, group);
        settings.put(PresenceConsumerConfig.RECREATED_TOPIC_POLICY.name(), "reset");
        ConsumerService service = fixture.start(settings);

        await().atMost(CONVERGE).until(() -> StoredPositions.read(db, group, topic).equals(Map.of(0, (long) NEW_RECORDS)));
        assertThat(usersOf("new")).hasSize(NEW_RECORDS);
        assertThat(storedTopicIds()).isEqualTo(Map.of(0, topicId()));
        assertThat(service.failure()).isNull();
    }

    @Test
    void aPositionStoredBeforeTopicIdsTakesTheTopicsIdWithItsNextMove() throws Exception {
        consumeOldIncarnation();
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE agent_presence_offsets SET topic_id = NULL");
        }
        publish("more", 3);

        ConsumerService service = fixture.start(fixture.settings(topic, group));
        await().atMost(CONVERGE).until(() -> StoredPositions.read(db, group, topic)
                .equals(Map.of(0, (long) OLD_RECORDS + 3)));

        assertThat(storedTopicIds()).isEqualTo(Map.of(0, topicId()));
        assertThat(usersOf("more")).hasSize(3);
        assertThat(service.failure()).isNull();
    }

    /**
     * The positions rebuild and verify read up to belong to the old topic: the new log reaches them, but reading it
     * up to there would build or judge the table from the wrong records.
     */
    @Test
    void rebuildAndVerifyRefuseARecreatedTopicNamingItAndBothIdsAndChangeNothing() throws Exception {
        consumeOldIncarnation();
        String oldId = topicId();
        recreateTopic();
        publish("new", NEW_RECORDS);
        String newId = topicId();
        Map<String, PresenceTable.Row> before = table.rows();
        Path config = ConfigFile.write(dir, fixture.settings(topic, group));

        ConsumerCommand rebuild = ConsumerCommand.run("rebuild", "--config", config.toString());
        ConsumerCommand verify = ConsumerCommand.run("verify", "--config", config.toString());

        assertThat(rebuild.exitCode()).as(rebuild.toString()).isEqualTo(1);
        assertThat(verify.exitCode()).as(verify.toString()).isEqualTo(2);
        for (ConsumerCommand refused : List.of(rebuild, verify)) {
            assertThat(refused.err()).as(refused.toString()).contains("Topic " + topic + " was deleted and recreated")
                    .contains(oldId).contains(newId);
        }
        assertThat(table.rows()).isEqualTo(before);
        assertThat(usersOf("new")).isEmpty();
        assertThat(StoredPositions.read(db, group, topic)).isEqualTo(Map.of(0, (long) OLD_RECORDS));
        assertThat(Sql.tables(db)).doesNotContain(Rebuild.SHADOW, Rebuild.OLD, Rebuild.SHADOW_TOMBSTONES,
                Rebuild.OLD_TOMBSTONES);
    }

    /** Applies the first incarnation of the topic and closes the consumer; its position stays stored. */
    private void consumeOldIncarnation() throws Exception {
        publish("old", OLD_RECORDS);
        try (ConsumerService first = ConsumerService.start(PresenceConsumerConfig.fromMap(fixture.settings(topic, group)))) {
            await().atMost(CONVERGE).until(() -> StoredPositions.read(db, group, topic)
                    .equals(Map.of(0, (long) OLD_RECORDS)));
        }
    }

    private void recreateTopic() throws Exception {
        try (Admin admin = fixture.admin()) {
            admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
            await().atMost(CONVERGE).until(() -> !admin.listTopics().names().get().contains(topic));
        }
        await().atMost(CONVERGE).until(() -> {
            try {
                KafkaTopics.create(fixture.bootstrapServers(), topic, 1, Map.of());
                return true;
            } catch (ExecutionException e) {
                // the deletion is still being carried out on the broker
                if (e.getCause() instanceof TopicExistsException) {
                    return false;
                }
                throw e;
            }
        });
    }

    private void publish(String prefix, int count) throws Exception {
        PresencePublisher publisher = fixture.publisher(topic);
        for (int i = 1; i <= count; i++) {
            publisher.publish(new PresenceEvent(prefix + i, "online", 1_000 + i, null)).get();
        }
    }

    private String topicId() throws Exception {
        try (Admin admin = fixture.admin()) {
            return admin.describeTopics(List.of(topic)).topicNameValues().get(topic).get(30, TimeUnit.SECONDS).topicId()
                    .toString();
        }
    }

    private Map<Integer, String> storedTopicIds() throws Exception {
        Map<Integer, String> ids = new TreeMap<>();
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT kafka_partition, topic_id FROM agent_presence_offsets WHERE group_id = ? AND topic = ?")) {
            ps.setString(1, group);
            ps.setString(2, topic);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.put(rs.getInt(1), rs.getString(2));
                }
            }
        }
        return ids;
    }

    private List<String> usersOf(String prefix) throws Exception {
        return table.rows().keySet().stream().filter(u -> u.startsWith(prefix)).toList();
    }
}

package io.agentpresence.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agentpresence.consumer.support.ConfigFile;
import io.agentpresence.consumer.support.ConsumerFixture;
import io.agentpresence.consumer.support.StoredPositions;
import io.agentpresence.embedded.junit.KafkaEndpoint;
import io.agentpresence.embedded.junit.PresenceInfrastructure;
import io.agentpresence.embedded.junit.TestDatabase;
import io.agentpresence.model.PresenceEvent;
import io.agentpresence.model.PresenceEventCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code verify} on the histories where the rule of which event wins decides more than "the newest ts": ties of
 * ts (offline first, then status, then source), a heartbeat that carries a status, a deletion at the same time as
 * a statement. The table the consumer builds from them must agree.
 */
@ExtendWith(PresenceInfrastructure.class)
class VerifyRuleIT {

    private static final Duration CONVERGE = Duration.ofSeconds(60);

    private ConsumerFixture fixture;
    private TestDatabase db;
    private KafkaProducer<byte[], byte[]> producer;
    private final PresenceEventCodec codec = new PresenceEventCodec();
    private long sent;
    @TempDir
    Path dir;

    @BeforeEach
    void setUp(KafkaEndpoint kafka, TestDatabase db) {
        this.fixture = new ConsumerFixture(kafka, db);
        this.db = db;
        this.producer = fixture.rawProducer();
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    private void send(PresenceEvent event, String topic) throws Exception {
        send(topic, event.userId(), codec.encode(event), null);
    }

    private void send(String topic, String key, byte[] value, Long timestamp) throws Exception {
        producer.send(new ProducerRecord<>(topic, null, timestamp, key.getBytes(StandardCharsets.UTF_8), value)).get();
        sent++;
    }

    @Test
    void aTableTheConsumerBuiltFromTiesStatusHeartbeatsAndTiedDeletionsAgrees() throws Exception {
        String topic = fixture.topic("verify-rule", 2);
        String group = topic + "-live";
        Map<String, String> settings = fixture.settings(topic, group);
        fixture.start(settings);
        long deletedAt = Instant.now().minus(Duration.ofHours(1)).toEpochMilli();
        // equal ts: offline wins, whatever came later
        send(new PresenceEvent("tie-offline", "offline", 1_000, "a"), topic);
        send(new PresenceEvent("tie-offline", "online", 1_000, "a"), topic);
        // equal ts, neither offline: the greater status
        send(new PresenceEvent("tie-status", "busy", 1_000, "a"), topic);
        send(new PresenceEvent("tie-status", "away", 1_000, "a"), topic);
        // equal ts and status: the greater source
        send(new PresenceEvent("tie-source", "online", 1_000, "b"), topic);
        send(new PresenceEvent("tie-source", "online", 1_000, "a"), topic);
        // a heartbeat with a status is a statement: the newer one sets the status
        send(new PresenceEvent("confirmed", "online", 1_000, "plugin"), topic);
        send(PresenceEvent.heartbeat("confirmed", "away", 2_000, "fold"), topic);
        // a deletion wins over a statement of the same time
        send(new PresenceEvent("deleted-tie", "online", 1_000, "a"), topic);
        send(topic, "deleted-tie", null, deletedAt);
        send(new PresenceEvent("deleted-tie", "busy", deletedAt, "a"), topic);
        await().atMost(CONVERGE).until(() -> StoredPositions.total(db, group, topic) == sent);

        ConsumerCommand run = ConsumerCommand.run("verify", "--config", ConfigFile.write(dir, settings).toString());

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).as(run.toString()).contains("; 5 users, 4 rows compared; no mismatches");
    }
}

package io.agentpresence.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agentpresence.consumer.ops.PresenceMetrics;
import io.agentpresence.consumer.support.ConsumerFixture;
import io.agentpresence.consumer.support.Counters;
import io.agentpresence.consumer.support.PresenceModel;
import io.agentpresence.consumer.support.PresenceTable;
import io.agentpresence.consumer.support.PresenceTable.Row;
import io.agentpresence.consumer.support.StoredPositions;
import io.agentpresence.embedded.junit.KafkaEndpoint;
import io.agentpresence.embedded.junit.PresenceInfrastructure;
import io.agentpresence.embedded.junit.TestDatabase;
import io.agentpresence.model.PresenceEvent;
import io.agentpresence.model.PresencePublisher;
import io.micrometer.core.instrument.search.Search;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The whole path on a real broker and a real database: publish, consume, apply, commit. */
@ExtendWith(PresenceInfrastructure.class)
class PresenceConsumerIT {

    private static final Duration CONVERGE = Duration.ofSeconds(60);

    private ConsumerFixture fixture;
    private PresenceTable table;

    @BeforeEach
    void setUp(KafkaEndpoint kafka, TestDatabase db) {
        this.fixture = new ConsumerFixture(kafka, db);
        this.table = new PresenceTable(db);
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    private ConsumerService startConsumer(String topic, String group) throws Exception {
        return fixture.start(fixture.settings(topic, group));
    }

    private static double count(ConsumerService service, String meter) {
        return Counters.sum(service, meter);
    }

    @Test
    void sixtyFourConcurrentFirstWritesForOneUserEndInOneRowWithTheNewestEvent() throws Exception {
        String topic = fixture.topic("race", 3);
        List<PresencePublisher> publishers = List.of(fixture.publisher(topic), fixture.publisher(topic), fixture.publisher(topic), fixture.publisher(topic));
        ConsumerService service = startConsumer(topic, "race");
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(42));

        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> sends = new ArrayList<>();
            for (int i : order) {
                PresencePublisher p = publishers.get(i % publishers.size());
                PresenceEvent event = new PresenceEvent("agent-new", i % 2 == 0 ? "online" : "away", 1_000 + i, "p" + i);
                sends.add(pool.submit(() -> p.publish(event).get()));
            }
            for (Future<?> f : sends) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }

        // the stored positions move with the rows, in one transaction; the consumed meter moves at decode time
        await().atMost(CONVERGE).until(() -> StoredPositions.total(fixture.db(), "race", topic) == 64);
        assertThat(table.rows()).containsOnlyKeys("agent-new");
        assertThat(table.row("agent-new")).contains(new Row("agent-new", "away", 1_063, "p63"));
        assertThat(count(service, PresenceMetrics.BATCH_RETRIES)).isZero();
        assertThat(count(service, PresenceMetrics.EVENTS_REJECTED)).isZero();
    }

    @Test
    void eventsOfOneUserApplyInOrderAndAStaleOneDoesNotOverwrite() throws Exception {
        String topic = fixture.topic("order", 1);
        PresencePublisher p = fixture.publisher(topic);
        startConsumer(topic, "order");

        p.publish(new PresenceEvent("u1", "online", 100, "a")).get();
        await().atMost(CONVERGE).until(() -> table.row("u1").isPresent());
        p.publish(new PresenceEvent("u1", "busy", 300, "b")).get();
        p.publish(new PresenceEvent("u1", "offline", 200, "stale")).get();
        p.publish(new PresenceEvent("u1", "busy", 300, "b")).get();

        await().atMost(CONVERGE).until(() -> StoredPositions.total(fixture.db(), "order", topic) == 4);
        assertThat(table.row("u1")).contains(new Row("u1", "busy", 300, "b"));
    }

    @Test
    void aTombstoneDeletesTheUsersRow() throws Exception {
        String topic = fixture.topic("tombstone", 1);
        PresencePublisher p = fixture.publisher(topic);
        startConsumer(topic, "tombstone");

        p.publish(new PresenceEvent("gone", "online", 1_000, null)).get();
        p.publish(new PresenceEvent("stays", "online", 1_000, null)).get();
        await().atMost(CONVERGE).until(() -> table.count() == 2);
        p.delete("gone").get();

        await().atMost(CONVERGE).until(() -> table.row("gone").isEmpty());
        assertThat(table.rows()).containsOnlyKeys("stays");
    }

    @Test
    void heartbeatsRaiseLastSeenAndLeaveTheStatusAlone() throws Exception {
        String topic = fixture.topic("heartbeat", 1);
        PresencePublisher p = fixture.publisher(topic);
        ConsumerService service = startConsumer(topic, "heartbeat");

        p.publish(new PresenceEvent("u1", "online", 1_000, "plugin")).get();
        await().atMost(CONVERGE).until(() -> table.row("u1").isPresent());
        for (int i = 1; i <= 5; i++) {
            p.publish(PresenceEvent.heartbeat("u1", 1_000 + i * 30_000, "fold", i % 2 == 0 ? "phone" : "laptop"));
        }
        p.publish(PresenceEvent.heartbeat("ghost", 5_000, "fold", null));
        p.flush();

        await().atMost(CONVERGE).until(() -> fixture.committed(topic, "heartbeat") == 7);
        assertThat(table.rows()).containsOnlyKeys("u1");
        assertThat(table.row("u1")).contains(new Row("u1", "online", 1_000, "plugin"));
        assertThat(table.lastSeen("u1")).contains(151_000L);
        assertThat(count(service, PresenceMetrics.EVENTS_REJECTED)).isZero();
    }

    @Test
    void aNewGroupOnATopicCompactedDownToAHeartbeatPerUserCreatesTheRowsOfHeartbeatsThatConfirmAStatus()
            throws Exception {
        String topic = fixture.topic("compacted", 1);
        PresencePublisher p = fixture.publisher(topic);
        // what compaction leaves of users whose last record was a heartbeat: that heartbeat alone
        p.publish(PresenceEvent.heartbeat("u1", "busy", 5_000, "fold"));
        p.publish(PresenceEvent.heartbeat("u2", "away", 7_000, "fold"));
        // a bare heartbeat names no status: there is nothing to create the row from
        p.publish(PresenceEvent.heartbeat("bare", 6_000, "plugin", null));
        p.publish(new PresenceEvent("u3", "online", 4_000, "plugin"));
        p.flush();

        ConsumerService service = startConsumer(topic, "compacted-rebuilt");

        await().atMost(CONVERGE).until(() -> fixture.committed(topic, "compacted-rebuilt") == 4);
        assertThat(table.rows()).containsOnlyKeys("u1", "u2", "u3");
        assertThat(table.row("u1")).contains(new Row("u1", "busy", 5_000, "fold"));
        assertThat(table.lastSeen("u1")).contains(5_000L);
        assertThat(table.row("u2")).contains(new Row("u2", "away", 7_000, "fold"));
        assertThat(Search.in(service.meterRegistry()).name(PresenceMetrics.ROWS_WRITTEN).tag("kind", "insert")
                .counter().count()).isEqualTo(3);
        assertThat(count(service, PresenceMetrics.EVENTS_REJECTED)).isZero();
    }

    @Test
    void invalidRecordsAreCountedAndSkippedWhileTheRecordsAroundThemApply() throws Exception {
        String topic = fixture.topic("poison", 1);
        KafkaProducer<byte[], byte[]> producer = fixture.rawProducer();
        ConsumerService service = startConsumer(topic, "poison");

        send(producer, topic, "u1", "{\"userId\":\"u1\",\"status\":\"online\",\"ts\":1}");
        send(producer, topic, "u2", "not json");
        send(producer, topic, "u3", "{\"userId\":\"u3\",\"status\":\"dancing\",\"ts\":1}");
        send(producer, topic, "u4", "{\"userId\":\"u4\",\"status\":\"busy\",\"ts\":1}");
        producer.flush();

        await().atMost(CONVERGE).until(() -> table.count() == 2);
        assertThat(table.rows()).containsOnlyKeys("u1", "u4");
        // the Kafka commit follows the database write: wait for it, not for a meter counted at decode time
        await().atMost(CONVERGE).until(() -> fixture.committed(topic, "poison") == 4);
        assertThat(count(service, PresenceMetrics.EVENTS_REJECTED)).isEqualTo(2);
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, String key, String value) {
        producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void twoInstancesInOneGroupBuildTheTableTheModelPredicts() throws Exception {
        String topic = fixture.topic("group", 6);
        PresencePublisher p = fixture.publisher(topic);
        startConsumer(topic, "shared");
        startConsumer(topic, "shared");

        PresenceModel model = new PresenceModel();
        Random random = new Random(7);
        List<CompletableFuture<?>> sends = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            String user = "user-" + random.nextInt(300);
            String status = List.of("online", "away", "busy", "offline").get(random.nextInt(4));
            PresenceEvent event = new PresenceEvent(user, status, random.nextInt(2_000), "s" + i);
            sends.add(p.publish(event));
            // the rule decides, ties of ts included, whatever the order the two instances apply them in
            model.published(event);
        }
        CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get();
        Map<String, Row> expected = model.rows();

        await().atMost(CONVERGE).until(() -> fixture.committed(topic, "shared") == 5_000);
        assertThat(table.rows()).isEqualTo(expected);
    }

    @Test
    void replayingTheWholeTopicLeavesTheTableUnchanged() throws Exception {
        String topic = fixture.topic("replay", 2);
        PresencePublisher p = fixture.publisher(topic);
        startConsumer(topic, "first");
        for (int i = 0; i < 200; i++) {
            p.publish(new PresenceEvent("user-" + (i % 40), i % 3 == 0 ? "away" : "online", 10_000 - i, "r" + i));
        }
        p.flush();
        await().atMost(CONVERGE).until(() -> fixture.committed(topic, "first") == 200);
        Map<String, Row> before = table.rows();

        startConsumer(topic, "replay-from-start");
        await().atMost(CONVERGE).until(() -> fixture.committed(topic, "replay-from-start") == 200);

        assertThat(before).hasSize(40);
        assertThat(table.rows()).isEqualTo(before);
    }

    @Test
    void aGracefulStopIsQuickAndCommitsWhatWasWritten() throws Exception {
        String topic = fixture.topic("stop", 2);
        PresencePublisher p = fixture.publisher(topic);
        ConsumerService service = startConsumer(topic, "stopper");
        for (int i = 0; i < 100; i++) {
            p.publish(new PresenceEvent("user-" + i, "online", 1_000, null));
        }
        p.flush();
        await().atMost(CONVERGE).until(() -> table.count() == 100);

        long start = System.nanoTime();
        service.close();
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(service.isLive()).isFalse();
        assertThat(took).isLessThan(Duration.ofSeconds(5));
        assertThat(fixture.committed(topic, "stopper")).isEqualTo(100);
    }
}

package io.agentpresence.consumer.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agentpresence.consumer.rule.ExpectedTable;
import io.agentpresence.consumer.sink.PresenceChange;
import io.agentpresence.consumer.support.ConsumerFixture;
import io.agentpresence.consumer.support.PresenceTable;
import io.agentpresence.consumer.support.PresenceTable.Row;
import io.agentpresence.embedded.KafkaTopics;
import io.agentpresence.embedded.junit.KafkaEndpoint;
import io.agentpresence.embedded.junit.PresenceInfrastructure;
import io.agentpresence.embedded.junit.TestDatabase;
import io.agentpresence.model.PresenceEvent;
import io.agentpresence.model.PresenceEventCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the log cleaner leaves of the presence topic, on the real broker with compaction made eager (segments
 * rolled after 100 ms, any dirt cleanable, no compaction lag, tombstones kept 100 ms). Through the order stage, a
 * table built from the compacted topic by a new group on an empty database equals the live one; published straight
 * to the compacted topic, the same history comes back from compaction with the newest states lost.
 */
@ExtendWith(PresenceInfrastructure.class)
class CompactionIT {

    private static final Duration CONVERGE = Duration.ofSeconds(60);
    /** The cleaner checks every second on the test broker; a loaded machine may still need a while. */
    private static final Duration COMPACTION = Duration.ofSeconds(120);
    private static final Map<String, String> EAGER_COMPACTION = Map.of(
            TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
            TopicConfig.SEGMENT_MS_CONFIG, "100",
            TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.01",
            TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, "0",
            TopicConfig.DELETE_RETENTION_MS_CONFIG, "100");
    private static final int FILLERS = 3;

    @TempDir
    Path dir;
    private ConsumerFixture fixture;

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    @Test
    void throughTheStageATableBuiltFromTheCompactedTopicByANewGroupEqualsTheLiveTable(KafkaEndpoint kafka,
            TestDatabase live, TestDatabase rebuilt) throws Exception {
        fixture = new ConsumerFixture(kafka, live);
        String presence = compactedTopic("staged-presence");
        String raw = fixture.topic("staged-raw", 1);
        OrderIT.startStage(fixture, OrderIT.stageSettings(fixture, raw, presence, dir.resolve("order-state")));
        fixture.start(fixture.settings(presence, "live-" + presence));
        KafkaProducer<byte[], byte[]> producer = fixture.rawProducer();
        LateHistory history = new LateHistory();
        PresenceTable liveTable = new PresenceTable(live);

        LateHistory.publish(producer, raw, history.all());
        rollSegments(producer, raw);
        // the cleaner may run over the history before the consumer reads it: through the stage, that changes nothing
        long base = history.base;
        await().atMost(CONVERGE).untilAsserted(() -> assertThat(liveTable.rows())
                .containsKeys(fillers().toArray(String[]::new))
                .containsEntry("late", new Row("late", "online", base + 20, LateHistory.SOURCE))
                .containsEntry("ties", new Row("ties", "offline", base + 10, LateHistory.SOURCE))
                .containsEntry("beats", new Row("beats", "busy", base + 15, LateHistory.SOURCE))
                .containsEntry("stale-delete", new Row("stale-delete", "online", base + 20, LateHistory.SOURCE))
                .doesNotContainKey("deleted"));
        Map<String, Row> liveRows = liveTable.rows();

        // superseded at once by offline at the same time: gone once the cleaner has run over the history
        awaitCompaction(presence, r -> user(r).equals("ties") && status(r).equals("online"));
        fixture.start(rebuiltSettings(presence, rebuilt));
        PresenceTable rebuiltTable = new PresenceTable(rebuilt);
        await().atMost(CONVERGE).untilAsserted(() -> assertThat(rebuiltTable.rows()).isEqualTo(liveRows));
    }

    @Test
    void publishedStraightToTheCompactedTopicTheSameHistoryLosesTheNewestStatesToCompaction(KafkaEndpoint kafka,
            TestDatabase live, TestDatabase rebuilt) throws Exception {
        fixture = new ConsumerFixture(kafka, live);
        String presence = compactedTopic("direct-presence");
        fixture.start(fixture.settings(presence, "live-" + presence));
        KafkaProducer<byte[], byte[]> producer = fixture.rawProducer();
        LateHistory history = new LateHistory();
        PresenceTable liveTable = new PresenceTable(live);
        ExpectedTable expected = new ExpectedTable();
        history.all().stream().map(CompactionIT::change).forEach(expected::apply);

        LateHistory.publish(producer, presence, history.all());
        rollSegments(producer, presence);
        await().atMost(CONVERGE).until(() -> liveTable.rows().keySet().containsAll(fillers()));
        Map<String, Row> liveRows = liveTable.rows();
        // the live table obeys the rule: the late and deleted users keep their newest state
        assertThat(liveRows).containsEntry("late", row(expected.row("late").orElseThrow()))
                .doesNotContainKey("deleted");

        // superseded by the late away at a higher offset: compaction keeps that one instead
        awaitCompaction(presence, r -> user(r).equals("late") && "online".equals(status(r)));
        fixture.start(rebuiltSettings(presence, rebuilt));
        PresenceTable rebuiltTable = new PresenceTable(rebuilt);
        await().atMost(CONVERGE).until(() -> rebuiltTable.rows().keySet().containsAll(fillers()));

        long base = history.base;
        assertThat(rebuiltTable.rows()).isNotEqualTo(liveRows)
                .containsEntry("late", new Row("late", "away", base + 10, LateHistory.SOURCE))
                .containsEntry("deleted", new Row("deleted", "online", base + 25, LateHistory.SOURCE));
    }

    private String compactedTopic(String prefix) throws Exception {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        KafkaTopics.create(fixture.bootstrapServers(), name, 1, EAGER_COMPACTION);
        return name;
    }

    /** The consumer's settings with a group of its own on the empty database {@code db}. */
    private Map<String, String> rebuiltSettings(String presence, TestDatabase db) {
        Map<String, String> settings = fixture.settings(presence, "rebuilt-" + presence);
        settings.put("db.url", db.jdbcUrl());
        settings.put("db.user", db.user());
        settings.put("db.password", db.password());
        return settings;
    }

    /**
     * Closes the segment that holds the history: a segment rolls when a record arrives after segment.ms, and only
     * closed segments are cleaned. The fillers are users of their own, so they supersede nothing.
     */
    private static void rollSegments(KafkaProducer<byte[], byte[]> producer, String topic) throws Exception {
        PresenceEventCodec codec = new PresenceEventCodec();
        for (String user : fillers().toArray(String[]::new)) {
            Thread.sleep(300);
            producer.send(new ProducerRecord<>(topic, PresenceEventCodec.key(user),
                    codec.encode(PresenceEvent.now(user, "online", LateHistory.SOURCE)))).get();
        }
    }

    private static java.util.List<String> fillers() {
        return java.util.stream.IntStream.range(0, FILLERS).mapToObj(i -> "filler-" + i).toList();
    }

    /** Waits until the cleaner has removed every record {@code superseded} matches, reading from the beginning. */
    private void awaitCompaction(String topic, Predicate<ConsumerRecord<byte[], byte[]>> superseded) {
        await().atMost(COMPACTION).pollInterval(Duration.ofSeconds(1)).until(() ->
                LateHistory.committed(fixture.bootstrapServers(), topic).stream().noneMatch(superseded));
    }

    private static String user(ConsumerRecord<byte[], byte[]> record) {
        return new String(record.key(), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The status in a record's value, or null for a tombstone or a bare heartbeat. */
    private static String status(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            return null;
        }
        try {
            return new PresenceEventCodec().decode(record.key(), record.value(), record.timestamp()).status();
        } catch (Exception e) {
            throw new IllegalStateException("the presence topic holds an invalid record", e);
        }
    }

    private static PresenceChange change(LateHistory.Step step) {
        return switch (step.kind()) {
            case DELETE -> PresenceChange.delete(step.userId(), step.at(), 0);
            case STATUS -> new PresenceChange(step.userId(), step.status(), step.at(), LateHistory.SOURCE, 0);
            case HEARTBEAT -> PresenceChange.heartbeat(step.userId(), step.at(), 0);
        };
    }

    private static Row row(ExpectedTable.Row row) {
        return new Row(row.userId(), row.status(), row.eventTs(), row.source());
    }
}

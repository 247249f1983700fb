package io.agentpresence.consumer.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agentpresence.consumer.ConsumerService;
import io.agentpresence.consumer.config.PresenceConsumerConfig;
import io.agentpresence.consumer.ops.OrderMetrics;
import io.agentpresence.consumer.ops.ServicePair;
import io.agentpresence.consumer.sink.PresenceChange;
import io.agentpresence.consumer.support.ConsumerFixture;
import io.agentpresence.consumer.support.PresenceTable;
import io.agentpresence.consumer.support.PresenceTable.Row;
import io.agentpresence.consumer.support.TopicReader;
import io.agentpresence.embedded.KafkaTopics;
import io.agentpresence.embedded.junit.KafkaEndpoint;
import io.agentpresence.embedded.junit.PresenceInfrastructure;
import io.agentpresence.embedded.junit.TestDatabase;
import io.agentpresence.model.PresencePublisher;
import io.agentpresence.model.PresenceTopics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.search.Search;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The order stage on the real broker, exactly-once: from a raw topic holding late older events, a deletion followed
 * by a late older event, equal times and bare heartbeats, the presence topic gets per user only records that are
 * strictly newer states under the rule, in the partition a publisher would pick, also after a restart without
 * local state.
 */
@ExtendWith(PresenceInfrastructure.class)
class OrderIT {

    private static final int PARTITIONS = 3;
    private static final Duration CONVERGE = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private ConsumerFixture fixture;

    @BeforeEach
    void setUp(KafkaEndpoint kafka, TestDatabase db) {
        this.fixture = new ConsumerFixture(kafka, db);
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    /** The settings of {@code order}: the raw topic, an application id of the test's own, state in the test's dir. */
    static Map<String, String> stageSettings(ConsumerFixture fixture, String raw, String presence, Path stateDir) {
        Map<String, String> settings = fixture.settings(presence, "order-it-" + presence);
        settings.put("raw.topic", raw);
        settings.put("order.application.id", "order-it-" + UUID.randomUUID().toString().substring(0, 8));
        settings.put("order.state.dir", stateDir.toString());
        return settings;
    }

    static OrderService startStage(ConsumerFixture fixture, Map<String, String> settings) throws Exception {
        OrderService stage = fixture.closeLater(OrderService.start(PresenceConsumerConfig.fromMap(settings,
                OrderSettings.KEYS)));
        await().atMost(CONVERGE).until(stage::isReady);
        return stage;
    }

    @Test
    void onlyNewerStatesReachThePresenceTopicInThePublishersPartitionAlsoAfterARestartWithoutLocalState()
            throws Exception {
        String raw = fixture.topic("order-raw", PARTITIONS);
        String presence = fixture.topic("order-presence", PARTITIONS);
        Path stateDir = dir.resolve("order-state");
        Map<String, String> settings = stageSettings(fixture, raw, presence, stateDir);
        KafkaProducer<byte[], byte[]> producer = fixture.rawProducer();
        LateHistory history = new LateHistory();

        OrderService first = startStage(fixture, settings);
        LateHistory.publish(producer, raw, history.first());
        // every first state passes: one record per user, and the deletion
        await().atMost(CONVERGE).until(() -> LateHistory.committed(fixture.bootstrapServers(), presence).size() == 6);
        first.close();
        deleteTree(stateDir);

        // what the stage knew comes back from its changelog, or the late events below would pass
        OrderService second = startStage(fixture, settings);
        LateHistory.publish(producer, raw, history.then());
        producer.send(new ProducerRecord<>(raw, "bad".getBytes(StandardCharsets.UTF_8),
                "not json".getBytes(StandardCharsets.UTF_8))).get();
        await().atMost(CONVERGE).untilAsserted(() -> assertThat(LateHistory.byUser(
                LateHistory.committed(fixture.bootstrapServers(), presence))).isEqualTo(history.passed()));
        await().atMost(CONVERGE).until(() -> count(second, OrderMetrics.RECORDS_REJECTED) >= 1);

        List<ConsumerRecord<byte[], byte[]>> written = LateHistory.committed(fixture.bootstrapServers(), presence);
        for (List<PresenceChange> records : LateHistory.byUser(written).values()) {
            for (int i = 1; i < records.size(); i++) {
                assertThat(OrderRuleTest.newer(records.get(i), records.get(i - 1))).as("%s", records).isTrue();
            }
        }
        // keyed by userId with the producer's default partitioner, as every publisher must be
        assertThat(written).allSatisfy(r -> assertThat(r.partition())
                .isEqualTo(Utils.toPositive(Utils.murmur2(r.key())) % PARTITIONS));
        assertThat(TopicReader.readAll(fixture.bootstrapServers(), presence + ".dlq", 1))
                .extracting(r -> new String(r.key(), StandardCharsets.UTF_8)).containsExactly("bad");
        // of the late records: a status older than the stored one, one older than the deletion, a tie lost to
        // offline, a heartbeat older than the last, an old deletion, and a status older than that deletion
        assertThat(count(second, OrderMetrics.RECORDS_DROPPED)).isGreaterThanOrEqualTo(6);
        assertThat(count(second, OrderMetrics.RECORDS_FORWARDED)).isGreaterThanOrEqualTo(2);
    }

    @Test
    void asRunStartsItBesideTheConsumerARawEventReachesTheTableAndTheStagesMetersAreTheConsumers()
            throws Exception {
        String raw = fixture.topic("run-raw", PARTITIONS);
        String presence = fixture.topic("run-presence", PARTITIONS);
        Map<String, String> settings = stageSettings(fixture, raw, presence, dir.resolve("order-state"));
        PresenceConsumerConfig config = PresenceConsumerConfig.fromMap(settings, OrderSettings.KEYS);
        ConsumerService consumer = ConsumerService.start(config);
        ServicePair run = fixture.closeLater(new ServicePair(consumer, "consumer", OrderService.startBeside(config,
                consumer.meterRegistry()), "order"));
        await().atMost(CONVERGE).until(run::isReady);
        LateHistory history = new LateHistory();

        LateHistory.publish(fixture.rawProducer(), raw, history.all());

        PresenceTable table = new PresenceTable(fixture.db());
        await().atMost(CONVERGE).untilAsserted(() -> assertThat(table.rows())
                .containsEntry("late", new Row("late", "online", history.base + 20, LateHistory.SOURCE))
                .containsEntry("beats", new Row("beats", "busy", history.base + 15, LateHistory.SOURCE))
                .doesNotContainKey("deleted"));
        assertThat(Search.in(run.meterRegistry()).name(OrderMetrics.RECORDS_DROPPED).counters().stream()
                .mapToDouble(Counter::count).sum()).isGreaterThanOrEqualTo(6);
        assertThat(run.meterRegistry().scrape()).contains("presence_order_records_forwarded_total")
                .contains("presence_events_consumed_total");
    }

    @Test
    void aBadRawRecordWithHeadersTooLargeToDeadLetterIsDeadLetteredWithoutThemAndTheStageGoesOn() throws Exception {
        // a raw topic that takes records of about 2 MiB, beyond the default 1 MiB of the dead-letter topic
        int hugeTopicLimit = 2 * 1024 * 1024 + 1024;
        String raw = "huge-raw-" + UUID.randomUUID().toString().substring(0, 8);
        KafkaTopics.create(fixture.bootstrapServers(), raw, 1,
                Map.of("max.message.bytes", String.valueOf(hugeTopicLimit)));
        String presence = fixture.topic("huge-presence", 1);
        OrderService stage = startStage(fixture, stageSettings(fixture, raw, presence, dir.resolve("order-state")));
        KafkaProducer<byte[], byte[]> large = fixture.closeLater(new KafkaProducer<>(PresencePublisher.producerSettings(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, fixture.bootstrapServers(),
                        ProducerConfig.MAX_REQUEST_SIZE_CONFIG, hugeTopicLimit))));
        ProducerRecord<byte[], byte[]> bad = new ProducerRecord<>(raw, "bad".getBytes(StandardCharsets.UTF_8),
                "not json".getBytes(StandardCharsets.UTF_8));
        bad.headers().add("pad", new byte[1536 * 1024]);
        large.send(bad).get();

        LateHistory.publish(large, raw, new LateHistory().first());

        await().atMost(CONVERGE).until(() -> !LateHistory.committed(fixture.bootstrapServers(), presence).isEmpty()
                || !stage.isLive());
        assertThat(stage.isLive()).as("the stage is running; it failed with %s", stage.failure()).isTrue();
        assertThat(TopicReader.readAll(fixture.bootstrapServers(), presence + ".dlq", 1)).singleElement()
                .satisfies(letter -> {
                    assertThat(letter.headers().lastHeader("pad")).isNull();
                    assertThat(new String(letter.headers().lastHeader(PresenceTopics.HEADER_HEADERS_DROPPED).value(),
                            StandardCharsets.UTF_8)).isEqualTo("1");
                });
    }

    static double count(OrderService stage, String meter) {
        return Search.in(stage.meterRegistry()).name(meter).counters().stream().mapToDouble(Counter::count).sum();
    }

    static void deleteTree(Path root) throws Exception {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}

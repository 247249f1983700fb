package io.agentpresence.consumer.order;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentpresence.consumer.config.KafkaClients;
import io.agentpresence.consumer.config.PresenceConsumerConfig;
import io.agentpresence.consumer.ops.OrderMetrics;
import io.agentpresence.model.PresenceEvent;
import io.agentpresence.model.PresenceEventCodec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Streams adapter of the order stage on Kafka Streams' test driver: what passes goes on byte for byte with its
 * timestamp and headers, a bare heartbeat goes on carrying the status, and an invalid record becomes a dead letter.
 */
class OrderTopologyTest {

    private static final String RAW = "agent-presence.raw";
    private static final String PRESENCE = "agent-presence";
    private static final String DEAD_LETTERS = "agent-presence.dlq";

    @TempDir
    Path dir;
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> raw;
    private TestOutputTopic<byte[], byte[]> presence;
    private TestOutputTopic<byte[], byte[]> deadLetters;
    private final PresenceEventCodec codec = new PresenceEventCodec();
    private final long now = System.currentTimeMillis();

    @BeforeEach
    void setUp() {
        Map<String, String> settings = new HashMap<>();
        settings.put("bootstrap.servers", "127.0.0.1:9092");
        settings.put("db.url", "jdbc:mysql://127.0.0.1:1/unused");
        settings.put("topic", PRESENCE);
        settings.put("dlq.topic", DEAD_LETTERS);
        settings.put("raw.topic", RAW);
        settings.put("order.state.dir", dir.toString());
        PresenceConsumerConfig config = PresenceConsumerConfig.fromMap(settings, OrderSettings.KEYS);
        OrderSettings order = OrderSettings.from(config);
        driver = new TopologyTestDriver(OrderTopology.build(order, new OrderMetrics(new SimpleMeterRegistry())),
                KafkaClients.streams(config, order.applicationId(), order.stateDir()));
        raw = driver.createInputTopic(RAW, new ByteArraySerializer(), new ByteArraySerializer());
        presence = driver.createOutputTopic(PRESENCE, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        deadLetters = driver.createOutputTopic(DEAD_LETTERS, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    @Test
    void aNewerStatePassesOnByteForByteWithItsTimestampAndHeadersAndALateOneDoesNot() throws Exception {
        // no ts field: the record timestamp stands in, and must pass on with it
        byte[] value = "{\"userId\":\"u\",\"status\":\"online\",\"extra\":1}".getBytes(StandardCharsets.UTF_8);
        RecordHeaders headers = new RecordHeaders();
        headers.add("trace", "t-1".getBytes(StandardCharsets.UTF_8));
        raw.pipeInput(new TestRecord<>(PresenceEventCodec.key("u"), value, headers, now - 1_000));
        raw.pipeInput(PresenceEventCodec.key("u"), codec.encode(new PresenceEvent("u", "away", now - 2_000, "p")),
                now - 2_000);
        raw.pipeInput(PresenceEventCodec.key("u"), null, now - 500);

        List<TestRecord<byte[], byte[]>> out = presence.readRecordsToList();

        assertThat(out).hasSize(2);
        assertThat(out.get(0).key()).isEqualTo(PresenceEventCodec.key("u"));
        assertThat(out.get(0).value()).isEqualTo(value);
        assertThat(out.get(0).timestamp()).isEqualTo(now - 1_000);
        assertThat(out.get(0).headers().lastHeader("trace").value()).isEqualTo("t-1".getBytes(StandardCharsets.UTF_8));
        assertThat(out.get(1).value()).isNull();
        assertThat(out.get(1).timestamp()).isEqualTo(now - 500);
    }

    @Test
    void aNewerBareHeartbeatPassesOnCarryingTheStatusAtItsOwnTime() throws Exception {
        raw.pipeInput(PresenceEventCodec.key("u"), codec.encode(new PresenceEvent("u", "busy", now - 2_000, "p")),
                now - 2_000);
        raw.pipeInput(PresenceEventCodec.key("u"), codec.encode(PresenceEvent.heartbeat("u", now - 1_000, "p", "laptop")),
                now - 1_000);
        raw.pipeInput(PresenceEventCodec.key("u"), codec.encode(PresenceEvent.heartbeat("u", now - 1_500, "p", null)),
                now - 1_500);

        List<TestRecord<byte[], byte[]>> out = presence.readRecordsToList();

        assertThat(out).hasSize(2);
        TestRecord<byte[], byte[]> heartbeat = out.get(1);
        assertThat(heartbeat.timestamp()).isEqualTo(now - 1_000);
        assertThat(codec.decode(heartbeat.key(), heartbeat.value(), heartbeat.timestamp()))
                .isEqualTo(PresenceEvent.heartbeat("u", "busy", now - 1_000, "p"));
    }

    @Test
    void anInvalidRecordBecomesADeadLetterAndNothingPassesOn() {
        raw.pipeInput("u".getBytes(StandardCharsets.UTF_8), "not json".getBytes(StandardCharsets.UTF_8), now);
        raw.pipeInput(PresenceEventCodec.key("v"), null, now + 3_600_000);

        assertThat(presence.isEmpty()).isTrue();
        List<TestRecord<byte[], byte[]>> dead = deadLetters.readRecordsToList();
        assertThat(dead).extracting(r -> new String(r.key(), StandardCharsets.UTF_8)).containsExactly("u", "v");
        assertThat(dead.get(0).value()).isEqualTo("not json".getBytes(StandardCharsets.UTF_8));
    }
}

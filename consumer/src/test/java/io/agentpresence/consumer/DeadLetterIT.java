package io.agentpresence.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agentpresence.consumer.ops.PresenceMetrics;
import io.agentpresence.consumer.support.ConsumerFixture;
import io.agentpresence.consumer.support.Counters;
import io.agentpresence.consumer.support.PresenceTable;
import io.agentpresence.consumer.support.TopicReader;
import io.agentpresence.embedded.junit.KafkaEndpoint;
import io.agentpresence.embedded.junit.PresenceInfrastructure;
import io.agentpresence.embedded.junit.TestDatabase;
import io.agentpresence.model.PresenceTopics;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Records that cannot be applied go to the dead-letter topic, intact, and never stall their partition. */
@ExtendWith(PresenceInfrastructure.class)
class DeadLetterIT {

    private static final Duration CONVERGE = Duration.ofSeconds(60);
    private static final String GROUP = "dlq-test";

    private ConsumerFixture fixture;
    private TestDatabase db;
    private PresenceTable table;
    private KafkaProducer<byte[], byte[]> producer;

    private record Poison(String name, byte[] key, byte[] value, long timestamp, String reason) {
    }

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

    private ConsumerService startConsumer(String topic, String dlqTopic) throws Exception {
        Map<String, String> settings = fixture.settings(topic, GROUP);
        settings.put("dlq.topic", dlqTopic);
        settings.put("retry.backoff.max", "500ms");
        return fixture.start(settings);
    }

    private static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    private static String event(String userId, String status) {
        return "{\"userId\":\"" + userId + "\",\"status\":\"" + status + "\",\"ts\":1000}";
    }

    private static List<Poison> poisons() {
        long now = System.currentTimeMillis();
        String deep = "[".repeat(10_000) + "]".repeat(10_000);
        byte[] badUtf8Value = "{\"userId\":\"u\",\"status\":\"online\",\"source\":\"\u0000\"}".getBytes(StandardCharsets.UTF_8);
        badUtf8Value[badUtf8Value.length - 3] = (byte) 0xC3;
        List<Poison> p = new ArrayList<>();
        p.add(new Poison("not JSON", utf8("u"), utf8("hello"), now, "malformed-json"));
        p.add(new Poison("empty value", utf8("u"), new byte[0], now, "malformed-json"));
        p.add(new Poison("JSON array", utf8("u"), utf8("[1,2]"), now, "not-an-object"));
        p.add(new Poison("JSON number", utf8("u"), utf8("42"), now, "not-an-object"));
        p.add(new Poison("JSON string", utf8("u"), utf8("\"online\""), now, "not-an-object"));
        p.add(new Poison("JSON null", utf8("u"), utf8("null"), now, "not-an-object"));
        p.add(new Poison("userId a number", utf8("5"), utf8("{\"userId\":5,\"status\":\"online\"}"), now, "invalid-user-id"));
        p.add(new Poison("status an object", utf8("u"), utf8("{\"userId\":\"u\",\"status\":{}}"), now, "invalid-status"));
        p.add(new Poison("ts a string", utf8("u"), utf8("{\"userId\":\"u\",\"status\":\"online\",\"ts\":\"1\"}"), now, "invalid-ts"));
        p.add(new Poison("ts a fraction", utf8("u"), utf8("{\"userId\":\"u\",\"status\":\"online\",\"ts\":1.5}"), now, "invalid-ts"));
        p.add(new Poison("source a number", utf8("u"), utf8("{\"userId\":\"u\",\"status\":\"online\",\"source\":1}"), now, "invalid-source"));
        p.add(new Poison("empty userId", utf8(""), utf8(event("", "online")), now, "invalid-user-id"));
        p.add(new Poison("blank userId", utf8("   "), utf8(event("   ", "online")), now, "invalid-user-id"));
        p.add(new Poison("key differs from userId", utf8("alice"), utf8(event("bob", "online")), now, "key-mismatch"));
        p.add(new Poison("no key", null, utf8(event("u", "online")), now, "missing-key"));
        p.add(new Poison("unknown status", utf8("u"), utf8(event("u", "dancing")), now, "unknown-status"));
        p.add(new Poison("status in the wrong case", utf8("u"), utf8(event("u", "Online")), now, "unknown-status"));
        p.add(new Poison("no status", utf8("u"), utf8("{\"userId\":\"u\"}"), now, "missing-status"));
        p.add(new Poison("no userId", utf8("u"), utf8("{\"status\":\"online\"}"), now, "missing-user-id"));
        p.add(new Poison("userId of 192 characters", utf8("x".repeat(192)), utf8(event("x".repeat(192), "online")), now, "user-id-too-long"));
        p.add(new Poison("source of 65 characters", utf8("u"), utf8("{\"userId\":\"u\",\"status\":\"online\",\"source\":\"" + "s".repeat(65) + "\"}"), now, "source-too-long"));
        p.add(new Poison("control character in userId", utf8("a\u0001b"), utf8(event("a\\u0001b", "online")), now, "invalid-user-id"));
        p.add(new Poison("invalid UTF-8 in the value", utf8("u"), badUtf8Value, now, "malformed-json"));
        p.add(new Poison("invalid UTF-8 in the key", new byte[] {(byte) 0xFF, (byte) 0xFE}, utf8(event("u", "online")), now, "invalid-key"));
        p.add(new Poison("ts beyond 64 bits", utf8("u"), utf8("{\"userId\":\"u\",\"status\":\"online\",\"ts\":100000000000000000000000000000}"), now, "invalid-ts"));
        p.add(new Poison("negative ts", utf8("u"), utf8("{\"userId\":\"u\",\"status\":\"online\",\"ts\":-5}"), now, "invalid-ts"));
        p.add(new Poison("ts an hour ahead", utf8("u"), utf8("{\"userId\":\"u\",\"status\":\"online\",\"ts\":" + (now + 3_600_000) + "}"), now, "ts-in-future"));
        p.add(new Poison("deeply nested JSON", utf8("u"), utf8("{\"userId\":\"u\",\"status\":\"online\",\"x\":" + deep + "}"), now, "malformed-json"));
        p.add(new Poison("duplicate field", utf8("u"), utf8("{\"userId\":\"u\",\"userId\":\"v\",\"status\":\"online\"}"), now, "duplicate-field"));
        p.add(new Poison("tombstone without key", null, null, now, "missing-key"));
        p.add(new Poison("value over 64 KiB", utf8("u"), utf8("{\"userId\":\"u\",\"status\":\"online\",\"pad\":\"" + "p".repeat(70_000) + "\"}"), now, "value-too-large"));
        return p;
    }

    @Test
    void everyKindOfBadRecordIsDeadLetteredIntactAndTheGoodRecordsAroundItApply() throws Exception {
        String topic = fixture.topic("poison", 1);
        String dlq = topic + ".dlq";
        List<Poison> poisons = poisons();
        startConsumer(topic, dlq);

        List<Long> poisonOffsets = new ArrayList<>();
        for (int i = 0; i < poisons.size(); i++) {
            send(topic, utf8("good-" + i), utf8(event("good-" + i, "online")), null);
            Poison p = poisons.get(i);
            poisonOffsets.add(send(topic, p.key(), p.value(), p.timestamp()).offset());
        }
        long total = 2L * poisons.size();
        producer.flush();

        await().atMost(CONVERGE).until(() -> committed(topic) == total);
        assertThat(table.count()).isEqualTo(poisons.size());
        List<ConsumerRecord<byte[], byte[]>> letters = readAll(dlq, poisons.size());
        assertThat(letters).hasSize(poisons.size());
        for (int i = 0; i < poisons.size(); i++) {
            Poison p = poisons.get(i);
            ConsumerRecord<byte[], byte[]> letter = letters.get(i);
            assertThat(header(letter, PresenceTopics.HEADER_REASON)).as(p.name()).isEqualTo(p.reason());
            assertThat(letter.key()).as(p.name()).isEqualTo(p.key());
            assertThat(letter.value()).as(p.name()).isEqualTo(p.value());
            assertThat(letter.timestamp()).as(p.name()).isEqualTo(p.timestamp());
            assertThat(header(letter, PresenceTopics.HEADER_ORIGINAL_TOPIC)).isEqualTo(topic);
            assertThat(header(letter, PresenceTopics.HEADER_ORIGINAL_PARTITION)).isEqualTo("0");
            assertThat(header(letter, PresenceTopics.HEADER_ORIGINAL_OFFSET)).isEqualTo(String.valueOf(poisonOffsets.get(i)));
            assertThat(header(letter, PresenceTopics.HEADER_CONSUMER_GROUP)).isEqualTo(GROUP);
            assertThat(header(letter, PresenceTopics.HEADER_EXCEPTION_CLASS)).endsWith("MalformedEventException");
            assertThat(header(letter, PresenceTopics.HEADER_EXCEPTION_MESSAGE)).startsWith(p.reason() + ": ");
        }
        assertThat(Set.copyOf(poisons.stream().map(Poison::reason).toList())).hasSizeGreaterThanOrEqualTo(15);
    }

    @Test
    void whenTheDatabaseRefusesOneEventOfABatchOnlyThatEventIsDeadLettered() throws Exception {
        String topic = fixture.topic("refused", 1);
        String dlq = topic + ".dlq";
        startConsumer(topic, dlq);
        await().atMost(CONVERGE).until(() -> tableExists());
        // the codec allows 64 characters of source; a narrower column makes the database the one to refuse
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE agent_presences MODIFY source VARCHAR(8) NULL");
        }

        for (int i = 0; i < 20; i++) {
            String source = i == 13 ? "far-too-long-a-source" : "ok";
            send(topic, utf8("user-" + i), utf8("{\"userId\":\"user-" + i + "\",\"status\":\"busy\",\"ts\":5,\"source\":\""
                    + source + "\"}"), null);
        }
        producer.flush();

        await().atMost(CONVERGE).until(() -> committed(topic) == 20);
        assertThat(table.count()).isEqualTo(19);
        assertThat(table.row("user-13")).isEmpty();
        List<ConsumerRecord<byte[], byte[]>> letters = readAll(dlq, 1);
        assertThat(letters).hasSize(1);
        assertThat(new String(letters.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("user-13");
        assertThat(header(letters.get(0), PresenceTopics.HEADER_REASON)).isEqualTo("database-rejected");
    }

    @Test
    void whileTheDeadLetterTopicRefusesRecordsThePartitionDoesNotAdvance() throws Exception {
        String topic = fixture.topic("stuck", 1);
        String dlq = topic + ".dlq";
        try (Admin admin = fixture.admin()) {
            // every dead letter is larger than this, so the broker refuses each one
            admin.createTopics(List.of(new NewTopic(dlq, 1, (short) 1).configs(Map.of("max.message.bytes", "64"))))
                    .all().get();
        }
        ConsumerService service = startConsumer(topic, dlq);
        send(topic, utf8("before"), utf8(event("before", "online")), null);
        send(topic, utf8("u"), utf8("not json"), null);
        send(topic, utf8("after"), utf8(event("after", "online")), null);
        producer.flush();

        await().atMost(CONVERGE).until(() -> !service.isReady());
        // the batch was retried past the first failure: had the partition advanced, it would have by now
        await().atMost(CONVERGE).until(() -> Counters.sum(service, PresenceMetrics.BATCH_RETRIES) >= 2);
        assertThat(table.row("after")).isEmpty();
        assertThat(committed(topic)).isLessThan(3);

        try (Admin admin = fixture.admin()) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, dlq);
            admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(
                    new ConfigEntry("max.message.bytes", "1048588"), AlterConfigOp.OpType.SET)))).all().get();
        }
        await().atMost(CONVERGE).until(() -> committed(topic) == 3);
        assertThat(table.rows()).containsOnlyKeys("before", "after");
        assertThat(readAll(dlq, 1)).hasSize(1);
        await().atMost(CONVERGE).until(service::isReady);
    }

    private boolean tableExists() {
        try {
            table.count();
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private RecordMetadata send(String topic, byte[] key, byte[] value, Long timestamp) throws Exception {
        return producer.send(new ProducerRecord<>(topic, null, timestamp, key, value)).get();
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private long committed(String topic) throws Exception {
        return fixture.committed(topic, GROUP);
    }

    private List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int atLeast) {
        return TopicReader.readAll(fixture.bootstrapServers(), topic, atLeast);
    }
}

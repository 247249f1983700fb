package io.agentpresence.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.agentpresence.consumer.sink.DataSourceFactory;
import io.agentpresence.consumer.sink.SchemaMigrator;
import io.agentpresence.consumer.ops.PresenceMetrics;
import io.agentpresence.consumer.support.AbsentPartition;
import io.agentpresence.consumer.support.ConsumerFixture;
import io.agentpresence.consumer.support.Counters;
import io.agentpresence.consumer.support.PresenceTable;
import io.agentpresence.consumer.support.StoredPositions;
import io.agentpresence.consumer.support.TopicReader;
import io.agentpresence.embedded.KafkaTopics;
import io.agentpresence.embedded.junit.KafkaEndpoint;
import io.agentpresence.embedded.junit.PresenceInfrastructure;
import io.agentpresence.embedded.junit.TestDatabase;
import io.agentpresence.model.PresencePublisher;
import io.agentpresence.model.PresenceTopics;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
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
    /** A topic that takes records of about 2 MiB, beyond the default 1 MiB of the dead-letter topic and producer. */
    private static final int HUGE_TOPIC_LIMIT = 2 * 1024 * 1024 + 1024;
    private static final int HUGE_VALUE_BYTES = 1536 * 1024;

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
    void whenTheDatabaseRefusesAUsersChangeEveryRecordOfThatUserInTheBatchIsDeadLettered() throws Exception {
        String topic = fixture.topic("refused-user", 1);
        String dlq = topic + ".dlq";
        // the schema before the consumer starts, so its first poll takes every record below in one batch
        try (HikariDataSource ds = DataSourceFactory.create(db.jdbcUrl(), db.user(), db.password(), 2)) {
            SchemaMigrator.migrate(ds);
        }
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE agent_presences MODIFY source VARCHAR(8) NULL");
        }
        List<Long> refusedOffsets = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            send(topic, utf8("user-" + i), utf8("{\"userId\":\"user-" + i + "\",\"status\":\"busy\",\"ts\":5}"), null);
            if (i == 3) {
                // an older status the database would take, a heartbeat, and the newest one it refuses
                refusedOffsets.add(send(topic, utf8("carol"), utf8("{\"userId\":\"carol\",\"status\":\"away\",\"ts\":5}"),
                        null).offset());
                refusedOffsets.add(send(topic, utf8("carol"), utf8("{\"userId\":\"carol\",\"kind\":\"heartbeat\",\"ts\":6}"),
                        null).offset());
                refusedOffsets.add(send(topic, utf8("carol"), utf8("{\"userId\":\"carol\",\"status\":\"busy\",\"ts\":7,"
                        + "\"source\":\"far-too-long-a-source\"}"), null).offset());
            }
        }
        // a bad record of the same user goes to the dead-letter topic once, for its own reason
        send(topic, utf8("carol"), utf8("not json"), null);
        producer.flush();
        startConsumer(topic, dlq);

        await().atMost(CONVERGE).until(() -> committed(topic) == 14);
        assertThat(table.count()).isEqualTo(10);
        assertThat(table.row("carol")).isEmpty();
        List<ConsumerRecord<byte[], byte[]>> letters = readAll(dlq, 4);
        assertThat(letters).allSatisfy(letter -> assertThat(letter.key()).isEqualTo(utf8("carol")));
        assertThat(letters.stream().filter(l -> "database-rejected".equals(header(l, PresenceTopics.HEADER_REASON)))
                .map(l -> Long.parseLong(header(l, PresenceTopics.HEADER_ORIGINAL_OFFSET))).toList())
                .containsExactlyElementsOf(refusedOffsets);
        assertThat(letters).hasSize(4);
    }

    @Test
    void whileTheDeadLetterTopicCannotTakeRecordsForNowThePartitionDoesNotAdvance() throws Exception {
        String topic = fixture.topic("stuck", 1);
        String dlq = topic + ".dlq";
        KafkaTopics.create(fixture.bootstrapServers(), dlq, 1, Map.of());
        Map<String, String> settings = fixture.settings(topic, GROUP);
        settings.put("dlq.topic", dlq);
        settings.put("retry.backoff.max", "500ms");
        // dead letters go to a partition the topic lacks: they expire unsent, as when the broker is unreachable
        settings.put("kafka.partitioner.class", AbsentPartition.class.getName());
        ConsumerService service = fixture.start(settings);
        send(topic, utf8("before"), utf8(event("before", "online")), null);
        send(topic, utf8("u"), utf8("not json"), null);
        send(topic, utf8("after"), utf8(event("after", "online")), null);
        producer.flush();

        await().atMost(CONVERGE).until(() -> Counters.sum(service, PresenceMetrics.BATCH_RETRIES) >= 1);
        assertThat(service.failure()).isNull();
        assertThat(table.row("after")).isEmpty();
        assertThat(StoredPositions.total(db, GROUP, topic)).isLessThan(3);

        try (Admin admin = fixture.admin()) {
            admin.createPartitions(Map.of(dlq, NewPartitions.increaseTo(2))).all().get();
        }
        await().atMost(CONVERGE).until(() -> StoredPositions.total(db, GROUP, topic) == 3);
        assertThat(table.rows()).containsOnlyKeys("before", "after");
        assertThat(readAll(dlq, 1)).hasSize(1);
        await().atMost(CONVERGE).until(service::isReady);
    }

    @Test
    void whenTheDeadLetterTopicRefusesEvenACopyWithoutValueTheConsumerStopsSayingWhatToFix() throws Exception {
        String topic = fixture.topic("refusing", 1);
        String dlq = topic + ".dlq";
        try (Admin admin = fixture.admin()) {
            // every dead letter is larger than this, even without its value, so the broker refuses each one for good
            admin.createTopics(List.of(new NewTopic(dlq, 1, (short) 1).configs(Map.of("max.message.bytes", "64"))))
                    .all().get();
        }
        ConsumerService service = startConsumer(topic, dlq);
        send(topic, utf8("before"), utf8(event("before", "online")), null);
        send(topic, utf8("u"), utf8("not json"), null);
        send(topic, utf8("after"), utf8(event("after", "online")), null);
        producer.flush();

        await().atMost(CONVERGE).until(() -> service.failure() != null);
        assertThat(service.failure()).hasMessageContaining(dlq).hasMessageContaining("max.message.bytes");
        await().atMost(CONVERGE).until(() -> !service.isLive());
        assertThat(table.row("after")).isEmpty();
        assertThat(StoredPositions.total(db, GROUP, topic)).isLessThan(3);

        alterDeadLetterTopic(dlq, "max.message.bytes", "1048588");
        service.close();
        startConsumer(topic, dlq);
        await().atMost(CONVERGE).until(() -> StoredPositions.total(db, GROUP, topic) == 3);
        assertThat(table.rows()).containsOnlyKeys("before", "after");
        assertThat(readAll(dlq, 1)).hasSize(1);
    }

    private void alterDeadLetterTopic(String dlq, String name, String value) throws Exception {
        try (Admin admin = fixture.admin()) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, dlq);
            admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(
                    new ConfigEntry(name, value), AlterConfigOp.OpType.SET)))).all().get();
        }
    }

    @Test
    void aValueTooLargeToDeadLetterWholeIsDeadLetteredCutAndTheEventAfterItApplies() throws Exception {
        String topic = "huge-" + UUID.randomUUID().toString().substring(0, 8);
        KafkaTopics.create(fixture.bootstrapServers(), topic, 1,
                Map.of("max.message.bytes", String.valueOf(HUGE_TOPIC_LIMIT)));
        String dlq = topic + ".dlq";
        byte[] huge = utf8("{\"userId\":\"huge\",\"status\":\"online\",\"ts\":1000,\"pad\":\""
                + "p".repeat(HUGE_VALUE_BYTES) + "\"}");
        KafkaProducer<byte[], byte[]> large = fixture.closeLater(new KafkaProducer<>(PresencePublisher.producerSettings(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, fixture.bootstrapServers(),
                        ProducerConfig.MAX_REQUEST_SIZE_CONFIG, HUGE_TOPIC_LIMIT))));
        long hugeOffset = large.send(new ProducerRecord<>(topic, utf8("huge"), huge)).get().offset();
        large.send(new ProducerRecord<>(topic, utf8("after"), utf8(event("after", "busy")))).get();
        startConsumer(topic, dlq);

        await().atMost(CONVERGE).until(() -> StoredPositions.total(db, GROUP, topic) == 2);
        assertThat(table.rows()).containsOnlyKeys("after");
        List<ConsumerRecord<byte[], byte[]>> letters = readAll(dlq, 1);
        assertThat(letters).hasSize(1);
        ConsumerRecord<byte[], byte[]> letter = letters.get(0);
        assertThat(letter.key()).isEqualTo(utf8("huge"));
        assertThat(header(letter, PresenceTopics.HEADER_REASON)).isEqualTo("value-too-large");
        assertThat(header(letter, PresenceTopics.HEADER_ORIGINAL_OFFSET)).isEqualTo(String.valueOf(hugeOffset));
        assertThat(header(letter, PresenceTopics.HEADER_VALUE_TRUNCATED)).isEqualTo("true");
        assertThat(header(letter, PresenceTopics.HEADER_VALUE_SIZE)).isEqualTo(String.valueOf(huge.length));
        assertThat(header(letter, PresenceTopics.HEADER_VALUE_SHA256)).isEqualTo(sha256(huge));
        assertThat(letter.value()).hasSizeLessThan(huge.length)
                .isEqualTo(Arrays.copyOf(huge, letter.value().length));
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
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

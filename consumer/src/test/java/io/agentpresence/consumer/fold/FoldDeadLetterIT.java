package io.agentpresence.consumer.fold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agentpresence.consumer.config.PresenceConsumerConfig;
import io.agentpresence.consumer.support.ConsumerFixture;
import io.agentpresence.consumer.support.TopicReader;
import io.agentpresence.embedded.KafkaTopics;
import io.agentpresence.embedded.junit.KafkaEndpoint;
import io.agentpresence.embedded.junit.PresenceInfrastructure;
import io.agentpresence.embedded.junit.TestDatabase;
import io.agentpresence.model.PresenceEvent;
import io.agentpresence.model.PresencePublisher;
import io.agentpresence.model.PresenceTopics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code fold} on the real broker, exactly-once: a record too large to dead-letter whole does not stop it. */
@ExtendWith(PresenceInfrastructure.class)
class FoldDeadLetterIT {

    private static final Duration CONVERGE = Duration.ofSeconds(60);
    /** A device topic that takes records of about 2 MiB, beyond the default 1 MiB of the dead-letter topic. */
    private static final int HUGE_TOPIC_LIMIT = 2 * 1024 * 1024 + 1024;
    private static final int HUGE_VALUE_BYTES = 1536 * 1024;

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

    @Test
    void aDeviceRecordTooLargeToDeadLetterWholeIsDeadLetteredCutAndTheFoldGoesOn() throws Exception {
        HugeFold huge = startOnHugeDeviceTopic();
        byte[] value = ("{\"userId\":\"huge\",\"status\":\"online\",\"device\":\"d\",\"pad\":\""
                + "p".repeat(HUGE_VALUE_BYTES) + "\"}").getBytes(StandardCharsets.UTF_8);
        huge.producer().send(new ProducerRecord<>(huge.devices(), "huge".getBytes(StandardCharsets.UTF_8), value))
                .get();

        ConsumerRecord<byte[], byte[]> letter = theDeadLetterAfterTheFoldAppliesAValidEvent(huge);
        assertThat(header(letter, PresenceTopics.HEADER_VALUE_SIZE)).isEqualTo(String.valueOf(value.length));
        assertThat(header(letter, PresenceTopics.HEADER_VALUE_TRUNCATED)).isEqualTo("true");
        assertThat(header(letter, PresenceTopics.HEADER_VALUE_SHA256)).hasSize(64);
        assertThat(letter.value()).hasSizeLessThan(value.length);
    }

    @Test
    void anInvalidDeviceRecordWithHeadersTooLargeToDeadLetterIsDeadLetteredWithoutThemAndTheFoldGoesOn()
            throws Exception {
        HugeFold huge = startOnHugeDeviceTopic();
        ProducerRecord<byte[], byte[]> bad = new ProducerRecord<>(huge.devices(),
                "huge".getBytes(StandardCharsets.UTF_8), "not json".getBytes(StandardCharsets.UTF_8));
        bad.headers().add("trace", "t-1".getBytes(StandardCharsets.UTF_8));
        bad.headers().add("pad", new byte[HUGE_VALUE_BYTES]);
        huge.producer().send(bad).get();

        ConsumerRecord<byte[], byte[]> letter = theDeadLetterAfterTheFoldAppliesAValidEvent(huge);
        assertThat(header(letter, PresenceTopics.HEADER_REASON)).isNotEmpty();
        assertThat(header(letter, PresenceTopics.HEADER_HEADERS_DROPPED)).isEqualTo("2");
        assertThat(letter.headers().lastHeader("pad")).isNull();
        assertThat(letter.headers().lastHeader("trace")).isNull();
        assertThat(new String(letter.key(), StandardCharsets.UTF_8)).isEqualTo("huge");
    }

    /** The fold on a device topic that takes records of about 2 MiB, and a producer that can send them there. */
    private HugeFold startOnHugeDeviceTopic() throws Exception {
        String devices = "huge-devices-" + UUID.randomUUID().toString().substring(0, 8);
        KafkaTopics.create(fixture.bootstrapServers(), devices, 1,
                Map.of("max.message.bytes", String.valueOf(HUGE_TOPIC_LIMIT)));
        String presence = fixture.topic("huge-presence", 1);
        Map<String, String> settings = fixture.settings(presence, "fold-dlq-" + presence);
        settings.put("device.topic", devices);
        settings.put("fold.application.id", "fold-dlq-" + UUID.randomUUID().toString().substring(0, 8));
        settings.put("fold.state.dir", dir.resolve("fold-state").toString());
        FoldService fold = fixture.closeLater(FoldService.start(PresenceConsumerConfig.fromMap(settings,
                FoldSettings.KEYS)));
        await().atMost(CONVERGE).until(fold::isReady);
        KafkaProducer<byte[], byte[]> large = fixture.closeLater(new KafkaProducer<>(PresencePublisher.producerSettings(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, fixture.bootstrapServers(),
                        ProducerConfig.MAX_REQUEST_SIZE_CONFIG, HUGE_TOPIC_LIMIT))));
        return new HugeFold(fold, devices, presence, settings.get("dlq.topic"), large);
    }

    private record HugeFold(FoldService fold, String devices, String presence, String deadLetters,
                            KafkaProducer<byte[], byte[]> producer) {
    }

    /**
     * Publishes a valid event after the huge record, checks that the fold applied it and is still running, and
     * returns the one dead letter.
     */
    private ConsumerRecord<byte[], byte[]> theDeadLetterAfterTheFoldAppliesAValidEvent(HugeFold huge)
            throws Exception {
        long online = System.currentTimeMillis();
        fixture.publisher(huge.devices()).publish(new PresenceEvent(PresenceEvent.Kind.STATUS, "u2", "online", online,
                "plugin", "laptop")).get();
        CommittedRecords written = fixture.closeLater(new CommittedRecords(fixture.bootstrapServers(),
                huge.presence()));
        await().atMost(CONVERGE).until(() -> !written.statuses().isEmpty() || !huge.fold().isLive());
        assertThat(huge.fold().isLive()).as("the fold is running; it failed with %s", huge.fold().failure()).isTrue();
        assertThat(written.statuses()).containsExactly(new PresenceEvent("u2", "online", online, "plugin"));
        List<ConsumerRecord<byte[], byte[]>> letters = TopicReader.readAll(fixture.bootstrapServers(),
                huge.deadLetters(), 1);
        assertThat(letters).hasSize(1);
        return letters.get(0);
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}

package io.agentpresence.consumer.error;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentpresence.model.PresenceTopics;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class DeadLetterPublisherTest {

    @Test
    void aDeadLetterKeepsTheOriginalBytesTimestampAndHeadersAndSaysWhyAndWhence() {
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(),
                new ByteArraySerializer());
        RecordHeaders original = new RecordHeaders();
        original.add("trace-id", "abc".getBytes(StandardCharsets.UTF_8));
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("agent-presence", 3, 42L, 1_700_000_000_000L,
                TimestampType.CREATE_TIME, 1, 8, "u1".getBytes(StandardCharsets.UTF_8),
                "not json".getBytes(StandardCharsets.UTF_8), original, Optional.empty());

        try (DeadLetterPublisher publisher = new DeadLetterPublisher(producer, "agent-presence.dlq", "presence-consumer")) {
            publisher.send(new DeadLetter(record, "malformed-json", new IllegalStateException("x".repeat(5_000)))).join();
        }

        ProducerRecord<byte[], byte[]> sent = producer.history().get(0);
        assertThat(sent.topic()).isEqualTo("agent-presence.dlq");
        assertThat(sent.key()).isEqualTo(record.key());
        assertThat(sent.value()).isEqualTo(record.value());
        assertThat(sent.timestamp()).isEqualTo(1_700_000_000_000L);
        assertThat(header(sent, "trace-id")).isEqualTo("abc");
        assertThat(header(sent, PresenceTopics.HEADER_REASON)).isEqualTo("malformed-json");
        assertThat(header(sent, PresenceTopics.HEADER_EXCEPTION_CLASS)).isEqualTo(IllegalStateException.class.getName());
        assertThat(header(sent, PresenceTopics.HEADER_EXCEPTION_MESSAGE)).hasSize(DeadLetterPublisher.MAX_MESSAGE_LENGTH + 1);
        assertThat(header(sent, PresenceTopics.HEADER_ORIGINAL_TOPIC)).isEqualTo("agent-presence");
        assertThat(header(sent, PresenceTopics.HEADER_ORIGINAL_PARTITION)).isEqualTo("3");
        assertThat(header(sent, PresenceTopics.HEADER_ORIGINAL_OFFSET)).isEqualTo("42");
        assertThat(header(sent, PresenceTopics.HEADER_CONSUMER_GROUP)).isEqualTo("presence-consumer");
    }

    private static String header(ProducerRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}

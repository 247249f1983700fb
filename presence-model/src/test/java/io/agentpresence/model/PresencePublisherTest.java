package io.agentpresence.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class PresencePublisherTest {

    @Test
    void theDefaultSettingsAreAcceptedByTheKafkaProducer() {
        // constructing a producer validates its config without contacting the (absent) broker
        assertThatCode(() -> new PresencePublisher("127.0.0.1:1", "agent-presence").close(Duration.ZERO))
                .doesNotThrowAnyException();
    }

    @Test
    void overridesWinExceptForTheSerializers() {
        Map<String, Object> settings = PresencePublisher.producerSettings(Map.of(
                ProducerConfig.LINGER_MS_CONFIG, 50,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, "com.example.JsonSerializer"));

        assertThat(settings)
                .containsEntry(ProducerConfig.LINGER_MS_CONFIG, 50)
                .containsEntry(ProducerConfig.ACKS_CONFIG, "all")
                .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
                .containsEntry(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    }
}

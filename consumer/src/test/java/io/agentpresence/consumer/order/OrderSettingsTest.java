package io.agentpresence.consumer.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentpresence.consumer.config.ConfigException;
import io.agentpresence.consumer.config.PresenceConsumerConfig;
import io.agentpresence.consumer.fold.FoldSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The order stage's keys, and what a raw topic changes for the others: the topics, and where the fold writes. */
class OrderSettingsTest {

    private static Map<String, String> minimal() {
        Map<String, String> m = new HashMap<>();
        m.put("bootstrap.servers", "127.0.0.1:9092");
        m.put("db.url", "jdbc:mysql://127.0.0.1:3306/presence");
        return m;
    }

    private static PresenceConsumerConfig config(Map<String, String> m) {
        return PresenceConsumerConfig.fromMap(m, Stream.concat(FoldSettings.KEYS.stream(), OrderSettings.KEYS.stream())
                .toList());
    }

    @Test
    void withARawTopicTheStageReadsItWritesThePresenceTopicAndTheFoldPublishesToTheRawTopic() {
        Map<String, String> m = minimal();
        m.put("raw.topic", "agent-presence.raw");
        PresenceConsumerConfig c = config(m);

        OrderSettings s = OrderSettings.from(c);

        assertThat(OrderSettings.enabled(c)).isTrue();
        assertThat(s.rawTopic()).isEqualTo("agent-presence.raw");
        assertThat(s.presenceTopic()).isEqualTo("agent-presence");
        assertThat(s.deadLetterTopic()).isEqualTo("agent-presence.dlq");
        assertThat(s.applicationId()).isEqualTo("agent-presence-order");
        assertThat(s.stateDir()).isEqualTo(Path.of("order-state"));
        assertThat(c.rawRetention()).isEqualTo(Duration.ofDays(7));
        assertThat(c.topicPlan().rawTopic()).isEqualTo("agent-presence.raw");
        assertThat(c.topicPlan().rawRetention()).isEqualTo(Duration.ofDays(7));
        assertThat(FoldSettings.from(c).presenceTopic()).isEqualTo("agent-presence.raw");
    }

    @Test
    void withoutARawTopicThereIsNoStageAndTheFoldWritesThePresenceTopic() {
        PresenceConsumerConfig c = config(minimal());

        assertThat(OrderSettings.enabled(c)).isFalse();
        assertThat(c.topicPlan().rawTopic()).isNull();
        assertThat(FoldSettings.from(c).presenceTopic()).isEqualTo("agent-presence");
        assertThatThrownBy(() -> OrderSettings.from(c)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("PRESENCE_RAW_TOPIC (raw.topic): required by the order stage");
    }

    @Test
    void badSettingsNameTheKeyAndTheValue() {
        assertInvalid(Map.of("raw.topic", "agent-presence"), "PRESENCE_RAW_TOPIC (raw.topic): invalid value"
                + " 'agent-presence': must differ from PRESENCE_TOPIC (topic)");
        assertInvalid(Map.of("raw.topic", "agent-presence.dlq"), "PRESENCE_RAW_TOPIC (raw.topic): invalid value");
        assertInvalid(Map.of("raw.topic", "bad topic"), "PRESENCE_RAW_TOPIC (raw.topic): invalid value 'bad topic'");
        assertInvalid(Map.of("raw.topic", "raw", "raw.retention", "10s"), "PRESENCE_RAW_RETENTION (raw.retention):"
                + " invalid value '10s': must be at least 1m");
        assertInvalid(Map.of("raw.topic", "raw", "device.topic", "raw"), "PRESENCE_DEVICE_TOPIC (device.topic):"
                + " invalid value 'raw': must differ");
        assertInvalid(Map.of("raw.topic", "raw", "order.application.id", "my stage"), "PRESENCE_ORDER_APPLICATION_ID"
                + " (order.application.id): invalid value 'my stage'");
    }

    private static void assertInvalid(Map<String, String> settings, String messageStart) {
        Map<String, String> m = minimal();
        m.putAll(settings);
        assertThatThrownBy(() -> {
            PresenceConsumerConfig c = config(m);
            FoldSettings.from(c);
            OrderSettings.from(c);
        }).isInstanceOf(ConfigException.class).hasMessageStartingWith(messageStart);
    }
}

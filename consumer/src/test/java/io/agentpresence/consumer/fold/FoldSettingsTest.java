package io.agentpresence.consumer.fold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentpresence.consumer.config.ConfigException;
import io.agentpresence.consumer.config.PresenceConsumerConfig;
import io.agentpresence.model.MalformedEventException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FoldSettingsTest {

    private static Map<String, String> minimal() {
        Map<String, String> m = new HashMap<>();
        m.put("bootstrap.servers", "127.0.0.1:9092");
        m.put("db.url", "jdbc:mysql://127.0.0.1:3306/presence");
        return m;
    }

    private static PresenceConsumerConfig config(String statuses, String precedence) {
        Map<String, String> m = minimal();
        m.put("statuses", statuses);
        m.put("fold.precedence", precedence);
        return PresenceConsumerConfig.fromMap(m, FoldSettings.KEYS);
    }

    @Test
    void eachComponentDescribesOnlyTheKeysItReads() {
        PresenceConsumerConfig config = PresenceConsumerConfig.fromMap(minimal(), FoldSettings.KEYS);

        String fold = config.describe(FoldSettings.READS);
        String consumer = config.describe(PresenceConsumerConfig.KEYS);

        assertThat(fold).contains("  bootstrap.servers = ", "  device.ttl = 90s", "  topic = agent-presence")
                .doesNotContain("db.url", "db.writers", "group.id", "max.poll.records");
        assertThat(consumer).contains("  db.url = ", "  group.id = presence-consumer")
                .doesNotContain("device.ttl", "fold.");
    }

    @Test
    void foldSettingsDefaultToTheDocumentedValues() {
        FoldSettings s = FoldSettings.from(PresenceConsumerConfig.fromMap(minimal(), FoldSettings.KEYS));

        assertThat(s.deviceTopic()).isEqualTo("agent-presence.devices");
        assertThat(s.presenceTopic()).isEqualTo("agent-presence");
        assertThat(s.deadLetterTopic()).isEqualTo("agent-presence.dlq");
        assertThat(s.ttl()).isEqualTo(Duration.ofSeconds(90));
        assertThat(s.sweepInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.precedence().order()).containsExactly("online", "busy", "away");
        assertThat(s.applicationId()).isEqualTo("agent-presence-fold");
        assertThat(s.stateDir()).isEqualTo(Path.of("fold-state"));
        assertThat(s.forwardHeartbeats()).isTrue();
        // the codec bounds a tombstone's time with the default skew of 5 minutes
        long now = 1_000_000_000_000L;
        assertThatCode(() -> s.codec().checkTs(now + Duration.ofMinutes(5).toMillis(), now)).doesNotThrowAnyException();
        assertThatThrownBy(() -> s.codec().checkTs(now + Duration.ofMinutes(5).toMillis() + 1, now))
                .isInstanceOf(MalformedEventException.class);
        assertThat(s.userRetention()).isEqualTo(Duration.ofHours(24));
        assertThat(s.maxDevices()).isEqualTo(100);
    }

    @Test
    void badFoldSettingsNameTheKeyAndTheValue() {
        assertInvalid("device.topic", "agent-presence", "PRESENCE_DEVICE_TOPIC (device.topic): invalid value"
                + " 'agent-presence': must differ from PRESENCE_TOPIC (topic)");
        assertInvalid("device.topic", "bad topic", "PRESENCE_DEVICE_TOPIC (device.topic): invalid value 'bad topic'");
        assertInvalid("device.ttl", "500ms", "PRESENCE_DEVICE_TTL (device.ttl): invalid value '500ms': must be at least 1s");
        assertInvalid("fold.sweep.interval", "90s", "PRESENCE_FOLD_SWEEP_INTERVAL (fold.sweep.interval): invalid value"
                + " '90s': must be shorter than PRESENCE_DEVICE_TTL (device.ttl) = 90s");
        assertInvalid("fold.precedence", "online,,away", "PRESENCE_FOLD_PRECEDENCE (fold.precedence): invalid value");
        assertInvalid("fold.precedence", "online,away,online", "PRESENCE_FOLD_PRECEDENCE (fold.precedence): invalid value");
        assertInvalid("fold.precedence", "online,offline", "PRESENCE_FOLD_PRECEDENCE (fold.precedence): invalid value"
                + " 'online,offline': 'offline' ends a device");
        assertInvalid("fold.application.id", "my fold", "PRESENCE_FOLD_APPLICATION_ID (fold.application.id): invalid"
                + " value 'my fold': 1-227 of [a-zA-Z0-9._-]");
        assertInvalid("fold.forward.heartbeats", "yes", "PRESENCE_FOLD_FORWARD_HEARTBEATS (fold.forward.heartbeats)");
        assertInvalid("fold.user.retention", "1m", "PRESENCE_FOLD_USER_RETENTION (fold.user.retention): invalid value"
                + " '1m': must be at least 90s");
        assertInvalid("fold.max.devices", "0", "PRESENCE_FOLD_MAX_DEVICES (fold.max.devices): invalid value '0':"
                + " expected a whole number from 1 to 1000");
        assertInvalid("fold.max.devices", "5000", "PRESENCE_FOLD_MAX_DEVICES (fold.max.devices): invalid value");
    }

    private static void assertInvalid(String key, String value, String messageStart) {
        Map<String, String> m = minimal();
        m.put(key, value);
        PresenceConsumerConfig c = PresenceConsumerConfig.fromMap(m, FoldSettings.KEYS);
        assertThatThrownBy(() -> FoldSettings.from(c)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(messageStart);
    }

    @Test
    void theConsumerAcceptsTheFoldsKeysWhenHandedThemAndRejectsThemOtherwise() {
        Map<String, String> m = minimal();
        m.put("device.ttl", "30s");

        assertThat(FoldSettings.from(PresenceConsumerConfig.fromMap(m, FoldSettings.KEYS)).ttl())
                .isEqualTo(Duration.ofSeconds(30));
        assertThatThrownBy(() -> PresenceConsumerConfig.fromMap(m)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown setting(s) [device.ttl]");
    }

    @Test
    void aPrecedenceOfAcceptedStatusesFolds() {
        FoldSettings settings = FoldSettings.from(config("online,away,busy,offline,dnd", "dnd,online"));

        assertThat(settings.precedence().order()).containsExactly("dnd", "online");
    }

    @Test
    void aStatusInThePrecedenceThatIsNotAcceptedStopsTheFoldButNotTheConsumer() {
        PresenceConsumerConfig c = config("online,away,offline", "online,busy,away");

        assertThatThrownBy(() -> FoldSettings.from(c)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("PRESENCE_FOLD_PRECEDENCE (fold.precedence): 'busy' is not one of the accepted"
                        + " statuses");
    }

    @Test
    void statusesWithoutOfflineCannotBeFolded() {
        PresenceConsumerConfig c = config("online,away", "online,away");

        assertThatThrownBy(() -> FoldSettings.from(c)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("PRESENCE_STATUSES (statuses): 'offline' must be an accepted status");
    }

    @Test
    void theBestLiveStatusWinsAndUnlistedOnesRankBelowByName() {
        Precedence p = new Precedence(List.of("online", "busy", "away"));

        assertThat(p.fold(List.of("away", "busy"))).isEqualTo("busy");
        assertThat(p.fold(List.of("zzz", "away", "dnd"))).isEqualTo("away");
        assertThat(p.fold(List.of("zzz", "dnd"))).isEqualTo("dnd");
        assertThat(p.fold(List.of())).isEqualTo("offline");
    }
}

package io.agentpresence.consumer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PresenceConsumerConfigTest {

    private static Map<String, String> minimal() {
        Map<String, String> m = new HashMap<>();
        m.put("bootstrap.servers", "127.0.0.1:9092");
        m.put("db.url", "jdbc:mysql://127.0.0.1:3306/presence");
        return m;
    }

    @Test
    void defaultsApplyWhenOnlyTheRequiredKeysAreSet() {
        PresenceConsumerConfig c = PresenceConsumerConfig.fromMap(minimal());

        assertThat(c.topic()).isEqualTo("agent-presence");
        assertThat(c.groupId()).isEqualTo("presence-consumer");
        assertThat(c.dlqTopic()).isEqualTo("agent-presence.dlq");
        assertThat(c.maxFutureSkew()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.statuses().values()).containsExactlyInAnyOrder("online", "away", "busy", "offline");
        assertThat(c.migrateOnStart()).isTrue();
    }

    @Test
    void aMissingDatabaseUrlIsReportedByItsEnvironmentName() {
        Map<String, String> m = minimal();
        m.remove("db.url");

        assertThatThrownBy(() -> PresenceConsumerConfig.fromMap(m))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("PRESENCE_DB_URL (db.url): required but not set");
    }

    @Test
    void aMissingBootstrapServerIsReportedWhenTheConsumerAsksForIt() {
        Map<String, String> m = minimal();
        m.remove("bootstrap.servers");
        PresenceConsumerConfig c = PresenceConsumerConfig.fromMap(m);

        assertThatThrownBy(c::bootstrapServers).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("PRESENCE_BOOTSTRAP_SERVERS (bootstrap.servers): required but not set");
    }

    @Test
    void badValuesNameTheKeyAndTheValue() {
        assertInvalid("db.url", "postgres://x", "PRESENCE_DB_URL (db.url): invalid value 'postgres://x'");
        assertInvalid("bootstrap.servers", "localhost", "PRESENCE_BOOTSTRAP_SERVERS (bootstrap.servers): invalid value 'localhost'");
        assertInvalid("max.future.skew", "soon", "PRESENCE_MAX_FUTURE_SKEW (max.future.skew): invalid value 'soon'");
        assertInvalid("db.pool.size", "0", "PRESENCE_DB_POOL_SIZE (db.pool.size): invalid value '0': expected a whole number from 1 to 64");
        assertInvalid("topic", "bad topic", "PRESENCE_TOPIC (topic): invalid value 'bad topic'");
        assertInvalid("dlq.topic", "agent-presence", "PRESENCE_DLQ_TOPIC (dlq.topic): invalid value 'agent-presence': must differ");
        assertInvalid("migrate.on.start", "yes", "PRESENCE_MIGRATE_ON_START (migrate.on.start): invalid value 'yes'");
        assertInvalid("statuses", "online,,away", "PRESENCE_STATUSES (statuses): invalid value 'online,,away'");
        assertInvalid("db.pool.size", "1", "PRESENCE_DB_POOL_SIZE (db.pool.size): invalid value '1': must be at least"
                + " PRESENCE_DB_WRITERS (db.writers) = 2");
    }

    private static void assertInvalid(String key, String value, String messageStart) {
        Map<String, String> m = minimal();
        m.put(key, value);
        assertThatThrownBy(() -> PresenceConsumerConfig.fromMap(m)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(messageStart);
    }

    @Test
    void anUnknownKeyIsRejectedSoTyposDoNotPassSilently() {
        Map<String, String> m = minimal();
        m.put("db.ulr", "x");

        assertThatThrownBy(() -> PresenceConsumerConfig.fromMap(m)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown setting(s) [db.ulr]");
    }

    @Test
    void environmentOverridesTheFileAndKafkaPropertiesPassThrough(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("presence.properties");
        Files.writeString(file, """
                bootstrap.servers=file-host:9092
                db.url=jdbc:mysql://file-host/presence
                topic=from-file
                kafka.fetch.min.bytes=1024
                """);
        Map<String, String> env = Map.of(
                "PRESENCE_TOPIC", "from-env",
                "PRESENCE_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "PRESENCE_TEST_DB_URL", "ignored: not a consumer setting",
                "PATH", "/usr/bin");

        PresenceConsumerConfig c = PresenceConsumerConfig.load(file, env);

        assertThat(c.topic()).isEqualTo("from-env");
        assertThat(c.bootstrapServers()).isEqualTo("file-host:9092");
        assertThat(c.kafkaProperties()).containsEntry("fetch.min.bytes", "1024")
                .containsEntry("security.protocol", "SASL_SSL");
    }

    @Test
    void theLoggedConfigurationMasksSecrets() {
        Map<String, String> m = minimal();
        m.put("db.url", "jdbc:mysql://db/presence?user=app&password=hunter2");
        m.put("db.password", "s3cret");
        m.put("kafka.sasl.jaas.config", "PlainLoginModule required username=\"u\" password=\"p\";");
        m.put("kafka.ssl.truststore.password", "changeit");

        String described = PresenceConsumerConfig.fromMap(m).describe();

        assertThat(described).doesNotContain("hunter2", "s3cret", "changeit", "password=\"p\"")
                .contains("db.password = ****", "password=****", "kafka.sasl.jaas.config = ****");
    }

    @Test
    void durationsAcceptTheShortAndTheIsoForms() {
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.parse("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(Durations.parse("PT1M30S")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("90s");
    }

    @Test
    void foldSettingsDefaultToTheDocumentedValues() {
        PresenceConsumerConfig c = PresenceConsumerConfig.fromMap(minimal());

        assertThat(c.deviceTopic()).isEqualTo("agent-presence.devices");
        assertThat(c.deviceTtl()).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.foldSweepInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.foldPrecedence()).containsExactly("online", "busy", "away");
        assertThat(c.foldApplicationId()).isEqualTo("agent-presence-fold");
        assertThat(c.foldStateDir()).isEqualTo(Path.of("fold-state"));
        assertThat(c.foldForwardHeartbeats()).isTrue();
    }

    @Test
    void badFoldSettingsNameTheKeyAndTheValue() {
        assertInvalid("device.topic", "agent-presence", "PRESENCE_DEVICE_TOPIC (device.topic): invalid value"
                + " 'agent-presence': must differ from PRESENCE_TOPIC (topic)");
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
    }

    @Test
    void aRecreatedTopicStopsTheConsumerUnlessTheResetPolicyIsChosen() {
        assertThat(PresenceConsumerConfig.fromMap(minimal()).recreatedTopicPolicy()).isEqualTo(RecreatedTopicPolicy.STOP);
        Map<String, String> m = minimal();
        m.put("recreated.topic.policy", " Reset ");
        assertThat(PresenceConsumerConfig.fromMap(m).recreatedTopicPolicy()).isEqualTo(RecreatedTopicPolicy.RESET);
        assertInvalid("recreated.topic.policy", "skip", "PRESENCE_RECREATED_TOPIC_POLICY (recreated.topic.policy):"
                + " invalid value 'skip': expected stop or reset");
    }
}

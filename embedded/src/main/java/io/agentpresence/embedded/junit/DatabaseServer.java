package io.agentpresence.embedded.junit;

import io.agentpresence.embedded.EmbeddedMariaDb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.mysql.MySQLContainer;

/**
 * The MySQL-compatible server of a test run, picked once: a server named by {@code PRESENCE_TEST_DB_URL}
 * (with {@code PRESENCE_TEST_DB_USER}/{@code PRESENCE_TEST_DB_PASSWORD}); else MySQL 8.4 in Docker when
 * Docker runs; else the MariaDB or MySQL at 127.0.0.1:3306 (root, empty password); else an embedded MariaDB.
 * Public for test engines other than Jupiter (the jqwik properties), which cannot use {@link PresenceInfrastructure}.
 */
public final class DatabaseServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DatabaseServer.class);
    static final String MYSQL_IMAGE = "mysql:8.4";

    private final String baseUrl;
    private final String user;
    private final String password;
    private final String description;
    private final AutoCloseable owned;

    private DatabaseServer(String baseUrl, String user, String password, String description, AutoCloseable owned) {
        this.baseUrl = baseUrl;
        this.user = user;
        this.password = password;
        this.description = description;
        this.owned = owned;
    }

    public static DatabaseServer pick() throws Exception {
        String url = System.getenv("PRESENCE_TEST_DB_URL");
        if (url != null && !url.isBlank()) {
            String user = System.getenv().getOrDefault("PRESENCE_TEST_DB_USER", "root");
            String password = System.getenv().getOrDefault("PRESENCE_TEST_DB_PASSWORD", "");
            return announce(new DatabaseServer(serverPart(url), user, password, "server at " + serverPart(url), null));
        }
        if (DockerClientFactory.instance().isDockerAvailable()) {
            MySQLContainer mysql = new MySQLContainer(MYSQL_IMAGE).withUsername("root").withPassword("test");
            mysql.start();
            String base = "jdbc:mysql://" + mysql.getHost() + ":" + mysql.getMappedPort(3306) + "/";
            return announce(new DatabaseServer(base, "root", "test", "MySQL 8.4 in Docker", mysql));
        }
        String local = "jdbc:mysql://127.0.0.1:3306/";
        if (answers(local, "root", "")) {
            return announce(new DatabaseServer(local, "root", "", "MySQL-compatible server at 127.0.0.1:3306", null));
        }
        Path dir = Path.of("target", "embedded-mariadb-" + UUID.randomUUID()).toAbsolutePath();
        Files.createDirectories(dir);
        EmbeddedMariaDb mariaDb = EmbeddedMariaDb.startTemporary(dir);
        return announce(new DatabaseServer("jdbc:mysql://127.0.0.1:" + mariaDb.port() + "/", "root", "",
                "embedded MariaDB on port " + mariaDb.port(), mariaDb));
    }

    private static DatabaseServer announce(DatabaseServer server) {
        LOG.info("Tests use the {}", server.description);
        return server;
    }

    /** {@code jdbc:mysql://host:port/db?x=y} → {@code jdbc:mysql://host:port/}. */
    private static String serverPart(String url) {
        int hostStart = url.indexOf("//");
        int slash = url.indexOf('/', hostStart + 2);
        return slash < 0 ? url + "/" : url.substring(0, slash + 1);
    }

    private static boolean answers(String url, String user, String password) {
        DriverManager.setLoginTimeout(3);
        try (Connection ignored = DriverManager.getConnection(url + "?connectTimeout=2000", user, password)) {
            return true;
        } catch (SQLException e) {
            // nothing usable there; fall through to the embedded server
            return false;
        }
    }

    /** A new, empty database on this server, named at random; the caller drops it. */
    public TestDatabase createDatabase() throws SQLException {
        String name = "presence_t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (Connection c = DriverManager.getConnection(baseUrl, user, password); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
        }
        return new TestDatabase(baseUrl + name, user, password, name, description);
    }

    public void dropDatabase(TestDatabase database) throws SQLException {
        try (Connection c = DriverManager.getConnection(baseUrl, user, password); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS `" + database.name() + "`");
        }
    }

    @Override
    public void close() throws Exception {
        if (owned != null) {
            owned.close();
        }
    }
}

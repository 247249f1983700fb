package io.agentpresence.bench;

import io.agentpresence.embedded.EmbeddedMariaDb;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * The database the benchmark writes to: the server named by {@code PRESENCE_BENCH_DB_URL} (a
 * {@code jdbc:mysql://host:port/} URL, with {@code PRESENCE_BENCH_DB_USER}/{@code _PASSWORD}); else the
 * MySQL/MariaDB at 127.0.0.1:3306 as root; else an embedded MariaDB. Each run gets its own database.
 */
final class BenchDatabase implements AutoCloseable {

    private final String serverUrl;
    private final String user;
    private final String password;
    private final String description;
    private final EmbeddedMariaDb embedded;

    private BenchDatabase(String serverUrl, String user, String password, String description, EmbeddedMariaDb embedded) {
        this.serverUrl = serverUrl;
        this.user = user;
        this.password = password;
        this.description = description;
        this.embedded = embedded;
    }

    static BenchDatabase pick(Path workDir) throws Exception {
        String url = System.getenv("PRESENCE_BENCH_DB_URL");
        if (url != null && !url.isBlank()) {
            String base = url.endsWith("/") ? url : url + "/";
            return new BenchDatabase(base, System.getenv().getOrDefault("PRESENCE_BENCH_DB_USER", "root"),
                    System.getenv().getOrDefault("PRESENCE_BENCH_DB_PASSWORD", ""), base, null);
        }
        String local = "jdbc:mysql://127.0.0.1:3306/";
        try (Connection c = DriverManager.getConnection(local + "?connectTimeout=2000", "root", "")) {
            return new BenchDatabase(local, "root", "", "server at 127.0.0.1:3306 (" + version(c) + ")", null);
        } catch (SQLException e) {
            // nothing there: fall back to the embedded server
        }
        EmbeddedMariaDb db = EmbeddedMariaDb.startTemporary(workDir.resolve("mariadb-" + UUID.randomUUID()));
        return new BenchDatabase("jdbc:mysql://127.0.0.1:" + db.port() + "/", "root", "",
                "embedded MariaDB on port " + db.port(), db);
    }

    private static String version(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); var rs = s.executeQuery("SELECT VERSION()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Creates an empty database and returns its JDBC URL. */
    String create(String name) throws SQLException {
        try (Connection c = DriverManager.getConnection(serverUrl, user, password); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS `" + name + "`");
            s.execute("CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
        }
        return serverUrl + name;
    }

    void drop(String name) throws SQLException {
        try (Connection c = DriverManager.getConnection(serverUrl, user, password); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS `" + name + "`");
        }
    }

    String user() {
        return user;
    }

    String password() {
        return password;
    }

    String description() {
        return description;
    }

    @Override
    public void close() throws Exception {
        if (embedded != null) {
            embedded.close();
        }
    }
}

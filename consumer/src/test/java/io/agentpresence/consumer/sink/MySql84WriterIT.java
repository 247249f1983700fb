package io.agentpresence.consumer.sink;

import io.agentpresence.embedded.junit.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.mysql.MySQLContainer;

/**
 * The upsert scenarios on a real MySQL 8.4, where the row-alias dialect runs. Needs Docker; skipped cleanly
 * (reported as skipped) on machines without it.
 */
@Testcontainers(disabledWithoutDocker = true)
class MySql84WriterIT extends UpsertScenarios {

    @Container
    private static final MySQLContainer MYSQL = new MySQLContainer("mysql:8.4").withUsername("root").withPassword("test");

    private TestDatabase db;

    @BeforeEach
    void freshDatabase() throws Exception {
        String name = "presence_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String base = "jdbc:mysql://" + MYSQL.getHost() + ":" + MYSQL.getMappedPort(3306) + "/";
        try (Connection c = DriverManager.getConnection(base, "root", "test"); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
        }
        db = new TestDatabase(base + name, "root", "test", name, "MySQL 8.4 in Docker");
    }

    @Override
    TestDatabase database() {
        return db;
    }
}

package io.agentpresence.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agentpresence.consumer.support.ConfigFile;
import io.agentpresence.consumer.support.ConsumerFixture;
import io.agentpresence.consumer.support.PresenceTable;
import io.agentpresence.consumer.support.Sql;
import io.agentpresence.embedded.junit.KafkaEndpoint;
import io.agentpresence.embedded.junit.PresenceInfrastructure;
import io.agentpresence.embedded.junit.TestDatabase;
import io.agentpresence.model.PresenceEvent;
import io.agentpresence.model.PresencePublisher;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The consumer deployed into a database that already holds an application's tables: it migrates beside them. */
@ExtendWith(PresenceInfrastructure.class)
class ApplicationDatabaseIT {

    private ConsumerFixture fixture;
    private TestDatabase db;
    @TempDir
    Path dir;

    @BeforeEach
    void setUp(KafkaEndpoint kafka, TestDatabase db) {
        this.fixture = new ConsumerFixture(kafka, db);
        this.db = db;
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    @Test
    void runMigratesBesideTheApplicationsTablesAndLeavesThemAsTheyWere() throws Exception {
        Sql.execute(db, "CREATE TABLE users (id BIGINT PRIMARY KEY, email VARCHAR(255) NOT NULL UNIQUE)",
                "CREATE TABLE orders (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL,"
                        + " FOREIGN KEY (user_id) REFERENCES users (id))",
                "CREATE VIEW order_count AS SELECT user_id, COUNT(*) AS n FROM orders GROUP BY user_id",
                "INSERT INTO users VALUES (1, 'a@example.com'), (2, 'b@example.com')",
                "INSERT INTO orders VALUES (10, 1), (11, 1), (12, 2)");
        List<String> applicationBefore = applicationTables();
        String topic = fixture.topic("app-db", 2);
        Map<String, String> settings = fixture.settings(topic, "app-db");
        Path config = ConfigFile.write(dir, settings);

        ConsumerCommand migrate = ConsumerCommand.run("migrate", "--config", config.toString());

        assertThat(migrate.exitCode()).as(migrate.toString()).isZero();
        assertThat(migrate.out()).contains("schema at version 5");
        assertThat(appliedVersions()).containsExactly("1", "2", "3", "4", "5");
        assertThat(applicationTables()).isEqualTo(applicationBefore);

        fixture.start(settings);
        PresencePublisher publisher = fixture.publisher(topic);
        publisher.publish(new PresenceEvent("agent-1", "online", 1_000L, "test")).get();
        PresenceTable table = new PresenceTable(db);
        await().atMost(Duration.ofSeconds(30)).until(() -> table.row("agent-1").isPresent());
        assertThat(table.row("agent-1")).contains(new PresenceTable.Row("agent-1", "online", 1_000L, "test"));
        assertThat(applicationTables()).isEqualTo(applicationBefore);
    }

    /** Versions the consumer's migrations applied, in order: the baseline of a non-empty database is not one. */
    private List<String> appliedVersions() throws SQLException {
        return Sql.strings(db, "SELECT version FROM agent_presence_schema_history WHERE success = 1 AND type = 'SQL'"
                + " ORDER BY installed_rank");
    }

    /** The application's tables and view as the server describes them, with their rows. */
    private List<String> applicationTables() throws SQLException {
        List<String> described = new ArrayList<>();
        described.addAll(Sql.snapshot(db, "users", "id"));
        described.addAll(Sql.snapshot(db, "orders", "id"));
        described.addAll(Sql.snapshot(db, "order_count", "user_id"));
        return described;
    }
}

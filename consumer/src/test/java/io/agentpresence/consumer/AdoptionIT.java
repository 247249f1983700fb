package io.agentpresence.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.agentpresence.consumer.sink.OldTableAdoption;
import io.agentpresence.consumer.sink.SchemaConflictException;
import io.agentpresence.consumer.sink.SchemaMigrator;
import io.agentpresence.consumer.support.ConfigFile;
import io.agentpresence.consumer.support.ConsumerFixture;
import io.agentpresence.consumer.support.PresenceTable;
import io.agentpresence.consumer.support.PresenceTable.Row;
import io.agentpresence.consumer.support.Sql;
import io.agentpresence.embedded.junit.KafkaEndpoint;
import io.agentpresence.embedded.junit.PresenceInfrastructure;
import io.agentpresence.embedded.junit.TestDatabase;
import io.agentpresence.model.PresenceEvent;
import io.agentpresence.model.PresencePublisher;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The old HTTP service's {@code agent_presences} (userId, status, updatedAt) in the consumer's database: {@code run}
 * and {@code migrate} stop at it and name {@code migrate --adopt}, which takes it over with every row.
 */
@ExtendWith(PresenceInfrastructure.class)
class AdoptionIT {

    private static final String KEPT = OldTableAdoption.KEPT;
    private static final long ALICE_TS = Instant.parse("2026-11-01T10:00:00.123Z").toEpochMilli();
    private static final long BOB_TS = Instant.parse("2026-11-01T11:00:00Z").toEpochMilli();
    private static final long DAVE_TS = Instant.parse("2026-11-01T12:00:00Z").toEpochMilli();

    private ConsumerFixture fixture;
    private TestDatabase db;
    private String topic;
    private Map<String, String> settings;
    private Path config;
    @TempDir
    Path dir;

    @BeforeEach
    void setUp(KafkaEndpoint kafka, TestDatabase db) throws Exception {
        this.fixture = new ConsumerFixture(kafka, db);
        this.db = db;
        this.topic = fixture.topic("adopt", 1);
        this.settings = fixture.settings(topic, "adopt");
        this.config = ConfigFile.write(dir, settings);
        Sql.execute(db, "CREATE TABLE users (id BIGINT PRIMARY KEY, email VARCHAR(255) NOT NULL UNIQUE)",
                "INSERT INTO users VALUES (1, 'a@example.com')",
                "CREATE TABLE agent_presences (userId VARCHAR(255) PRIMARY KEY, status VARCHAR(255),"
                        + " updatedAt DATETIME(6)) DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_general_ci",
                "INSERT INTO agent_presences VALUES ('alice', 'online', '2026-11-01 10:00:00.123456'),"
                        + " ('Bob', 'Busy ', '2026-11-01 11:00:00'), ('carol', 'away', NULL),"
                        + " ('dave', 'dnd', '2026-11-01 12:00:00'), ('erin', NULL, '2026-11-01 12:00:00'),"
                        + " ('frank', 'in a meeting until three, then away', '2026-11-01 12:00:00')");
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    @Test
    void runAndMigrateStopAtTheOldServicesTableNameTheAdoptionAndChangeNothing() throws Exception {
        List<String> before = Sql.snapshot(db, "agent_presences", "userId");

        assertThatThrownBy(() -> fixture.start(settings))
                .isInstanceOf(SchemaConflictException.class)
                .hasMessageContaining("the old presence service's table")
                .hasMessageContaining("'presence-consumer migrate --adopt'")
                .hasMessageContaining("userId VARCHAR(255) PRIMARY KEY, status VARCHAR(255), updatedAt DATETIME(6)")
                .hasMessageEndingWith("Nothing was changed.");
        ConsumerCommand migrate = ConsumerCommand.run("migrate", "--config", config.toString());

        assertThat(migrate.exitCode()).as(migrate.toString()).isEqualTo(1);
        assertThat(migrate.err()).contains("migrate --adopt", KEPT);
        assertThat(Sql.tables(db)).containsExactlyInAnyOrder("agent_presences", "users");
        assertThat(Sql.snapshot(db, "agent_presences", "userId")).isEqualTo(before);
    }

    @Test
    void statusesOutsideTheConfiguredSetStopTheAdoptionUntilTheOperatorSaysWhatTheyBecome() throws Exception {
        List<String> before = Sql.snapshot(db, "agent_presences", "userId");

        ConsumerCommand adopt = ConsumerCommand.run("migrate", "--adopt", "--config", config.toString());

        assertThat(adopt.exitCode()).as(adopt.toString()).isEqualTo(1);
        assertThat(adopt.errLines()).containsExactly("error: agent_presences holds statuses that are none of the"
                + " configured ones (away,busy,offline,online, compared without surrounding spaces and ignoring case):"
                + " NULL (1 row), 'dnd' (1 row), 'in a meeting until three, then away' (1 row). Say which configured"
                + " status they become with --unknown-status STATUS (offline, say), or change them in agent_presences"
                + " first. Nothing was changed.");
        assertThat(Sql.tables(db)).containsExactlyInAnyOrder("agent_presences", "users");
        assertThat(Sql.snapshot(db, "agent_presences", "userId")).isEqualTo(before);
        ConsumerCommand notConfigured = ConsumerCommand.run("migrate", "--adopt", "--unknown-status", "dnd",
                "--config", config.toString());
        assertThat(notConfigured.exitCode()).as(notConfigured.toString()).isEqualTo(2);
        assertThat(Sql.tables(db)).containsExactlyInAnyOrder("agent_presences", "users");
    }

    @Test
    void adoptionKeepsEveryOldRowWithItsStatusAndTimeAndAnyNewerEventWins() throws Exception {
        List<String> oldTable = Sql.snapshot(db, "agent_presences", "userId");
        List<String> users = Sql.snapshot(db, "users", "id");

        ConsumerCommand adopt = ConsumerCommand.run("migrate", "--adopt", "--unknown-status", "offline",
                "--config", config.toString());

        assertThat(adopt.exitCode()).as(adopt.toString()).isZero();
        assertThat(adopt.out().lines()).containsExactly(
                "adopted agent_presences: 6 rows copied into the consumer's table (schema at version 5)",
                "statuses: 2 rows unchanged, NULL -> 'offline' (1 row, --unknown-status), 'Busy ' -> 'busy' (1 row),"
                        + " 'dnd' -> 'offline' (1 row, --unknown-status), 'in a meeting until three, then away' ->"
                        + " 'offline' (1 row, --unknown-status)",
                "event_ts: updatedAt read in time zone +00:00, in epoch milliseconds; 1 row without updatedAt got"
                        + " event_ts 0, so any event for them wins",
                "the old table is kept as agent_presences_before_adopt; when satisfied, drop it with:",
                "DROP TABLE agent_presences_before_adopt;");
        Map<String, Row> adopted = Map.of(
                "alice", new Row("alice", "online", ALICE_TS, null),
                "Bob", new Row("Bob", "busy", BOB_TS, null),
                "carol", new Row("carol", "away", 0L, null),
                "dave", new Row("dave", "offline", DAVE_TS, null),
                "erin", new Row("erin", "offline", DAVE_TS, null),
                "frank", new Row("frank", "offline", DAVE_TS, null));
        PresenceTable table = new PresenceTable(db);
        assertThat(table.rows()).isEqualTo(adopted);
        assertThat(Sql.strings(db, "SELECT CONCAT(user_id, ' ', last_seen) FROM agent_presences"
                + " WHERE user_id = 'alice'"))
                .containsExactly("alice " + ALICE_TS);
        assertThat(uniqueIndexes()).containsExactly("PRIMARY");
        assertThat(Sql.tables(db)).containsExactlyInAnyOrder("agent_presence_offsets", "agent_presence_schema_history",
                "agent_presence_tombstones", "agent_presences", KEPT, "users");
        assertThat(Sql.snapshot(db, KEPT, "userId")).isEqualTo(renamed(oldTable));
        assertThat(Sql.snapshot(db, "users", "id")).isEqualTo(users);

        ConsumerCommand again = ConsumerCommand.run("migrate", "--adopt", "--config", config.toString());

        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(again.out().lines()).containsExactly(
                "nothing to adopt: agent_presences is the consumer's table (schema at version 5)",
                "the old table is kept as agent_presences_before_adopt; when satisfied, drop it with:",
                "DROP TABLE agent_presences_before_adopt;");
        assertThat(table.rows()).isEqualTo(adopted);

        fixture.start(settings);
        PresencePublisher publisher = fixture.publisher(topic);
        publisher.publish(new PresenceEvent("alice", "away", ALICE_TS - 1, "new")).get();
        publisher.publish(new PresenceEvent("carol", "busy", 5L, "new")).get();
        publisher.publish(new PresenceEvent("Bob", "online", BOB_TS + 1, "new")).get();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> table.row("Bob").map(Row::status).orElse("").equals("online"));
        assertThat(table.rows()).isEqualTo(Map.of(
                "alice", adopted.get("alice"),
                "Bob", new Row("Bob", "online", BOB_TS + 1, "new"),
                "carol", new Row("carol", "busy", 5L, "new"),
                "dave", adopted.get("dave"),
                "erin", adopted.get("erin"),
                "frank", adopted.get("frank")));
    }

    @Test
    void anAdoptionInterruptedAfterTheMigrationsIsFinishedByRunningItAgainAndRunWaitsForIt() throws Exception {
        Sql.execute(db, "RENAME TABLE agent_presences TO " + KEPT);
        List<String> oldTable = Sql.snapshot(db, KEPT, "userId");

        ConsumerCommand beforeMigrations = ConsumerCommand.run("migrate", "--config", config.toString());

        assertThat(beforeMigrations.exitCode()).as(beforeMigrations.toString()).isEqualTo(1);
        assertThat(beforeMigrations.err()).contains("was interrupted", "migrate --adopt");
        assertThat(Sql.tables(db)).containsExactlyInAnyOrder(KEPT, "users");

        // as the adoption leaves it when stopped between the migrations and the copy
        Flyway.configure().dataSource(db.jdbcUrl(), db.user(), db.password()).locations("classpath:db/migration")
                .table(SchemaMigrator.HISTORY_TABLE).baselineOnMigrate(true).baselineVersion("0").load().migrate();
        assertThatThrownBy(() -> fixture.start(settings))
                .isInstanceOf(SchemaConflictException.class)
                .hasMessageContaining("was interrupted")
                .hasMessageContaining("migrate --adopt");

        ConsumerCommand adopt = ConsumerCommand.run("migrate", "--adopt", "--unknown-status", "away",
                "--old-time-zone", "+01:00", "--config", config.toString());

        assertThat(adopt.exitCode()).as(adopt.toString()).isZero();
        assertThat(adopt.out()).startsWith("adopted agent_presences: 6 rows copied")
                .contains("event_ts: updatedAt read in time zone +01:00");
        assertThat(new PresenceTable(db).rows()).hasSize(6)
                .containsEntry("Bob", new Row("Bob", "busy", BOB_TS - 3_600_000L, null))
                .containsEntry("dave", new Row("dave", "away", DAVE_TS - 3_600_000L, null));
        assertThat(Sql.snapshot(db, KEPT, "userId")).isEqualTo(oldTable);
        fixture.start(settings);
    }

    @Test
    void anAdoptionInterruptedBeforeTheSwapCopiesAnewAndSwaps() throws Exception {
        List<String> oldTable = Sql.snapshot(db, "agent_presences", "userId");
        Sql.execute(db, "RENAME TABLE agent_presences TO " + KEPT);
        Flyway.configure().dataSource(db.jdbcUrl(), db.user(), db.password()).locations("classpath:db/migration")
                .table(SchemaMigrator.HISTORY_TABLE).baselineOnMigrate(true).baselineVersion("0").load().migrate();
        // as the adoption leaves it when stopped after a copy into the shadow, before the swap
        Sql.execute(db, "RENAME TABLE agent_presences TO " + OldTableAdoption.SHADOW + ", " + KEPT
                        + " TO agent_presences",
                "INSERT INTO " + OldTableAdoption.SHADOW + " (user_id, status, event_ts) VALUES ('zoe', 'away', 1)");

        ConsumerCommand migrate = ConsumerCommand.run("migrate", "--config", config.toString());

        assertThat(migrate.exitCode()).as(migrate.toString()).isEqualTo(1);
        assertThat(migrate.err()).contains("was interrupted", "migrate --adopt");

        ConsumerCommand adopt = ConsumerCommand.run("migrate", "--adopt", "--unknown-status", "offline",
                "--config", config.toString());

        assertThat(adopt.exitCode()).as(adopt.toString()).isZero();
        assertThat(adopt.out()).startsWith("adopted agent_presences: 6 rows copied");
        assertThat(new PresenceTable(db).rows()).hasSize(6).doesNotContainKey("zoe")
                .containsEntry("alice", new Row("alice", "online", ALICE_TS, null));
        assertThat(Sql.snapshot(db, KEPT, "userId")).isEqualTo(renamed(oldTable));
        assertThat(Sql.tables(db)).doesNotContain(OldTableAdoption.SHADOW);
        fixture.start(settings);
    }

    @Test
    void aTableOfTheConsumersNameInAnotherShapeIsNeitherMigratedNorAdopted() throws Exception {
        Sql.execute(db, "DROP TABLE agent_presences",
                "CREATE TABLE agent_presences (id BIGINT PRIMARY KEY, presence TEXT)");

        ConsumerCommand migrate = ConsumerCommand.run("migrate", "--config", config.toString());
        ConsumerCommand adopt = ConsumerCommand.run("migrate", "--adopt", "--config", config.toString());

        assertThat(migrate.exitCode()).as(migrate.toString()).isEqualTo(1);
        assertThat(migrate.err()).contains("that the consumer did not create (id BIGINT", "PRIMARY KEY, presence TEXT)",
                "not the old presence service's table");
        assertThat(adopt.exitCode()).as(adopt.toString()).isEqualTo(1);
        assertThat(adopt.err()).contains("Cannot adopt agent_presences", "Nothing was changed.");
        assertThat(Sql.tables(db)).containsExactlyInAnyOrder("agent_presences", "users");
    }

    /** Names of the unique indexes on agent_presences: ON DUPLICATE KEY UPDATE matches any of them. */
    private List<String> uniqueIndexes() throws SQLException {
        return Sql.strings(db, "SELECT DISTINCT index_name FROM information_schema.statistics"
                + " WHERE table_schema = DATABASE() AND table_name = 'agent_presences' AND non_unique = 0");
    }

    /** The snapshot of the old table as it reads under its kept name. */
    private static List<String> renamed(List<String> snapshot) {
        return snapshot.stream()
                .map(line -> line.replace("CREATE TABLE `agent_presences`", "CREATE TABLE `" + KEPT + "`")).toList();
    }
}

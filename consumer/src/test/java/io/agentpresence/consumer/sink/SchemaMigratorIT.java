package io.agentpresence.consumer.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.agentpresence.embedded.junit.PresenceInfrastructure;
import io.agentpresence.embedded.junit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.api.FlywayException;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Starting on a database already at the latest version skips Flyway, and only then. */
@ExtendWith(PresenceInfrastructure.class)
class SchemaMigratorIT {

    @Test
    void aDatabaseAtTheLatestVersionIsLeftAsItIs(TestDatabase db) throws Exception {
        try (HikariDataSource dataSource = DataSourceFactory.create(db.jdbcUrl(), db.user(), db.password(), 2)) {
            assertThat(SchemaMigrator.migrate(dataSource)).isEqualTo(SchemaMigrator.LATEST_VERSION);
            List<String> history = history(db);

            assertThat(SchemaMigrator.migrate(dataSource)).isEqualTo(SchemaMigrator.LATEST_VERSION);
            assertThat(history(db)).isEqualTo(history);
        }
    }

    @Test
    void aHistoryNewerThanThisBuildGoesThroughFlyway(TestDatabase db) throws Exception {
        try (HikariDataSource dataSource = DataSourceFactory.create(db.jdbcUrl(), db.user(), db.password(), 2)) {
            SchemaMigrator.migrate(dataSource);
            recordMigration(db, "99", true);

            // Flyway ignores a future migration and reports the schema at it; the shortcut would have said the latest
            assertThat(SchemaMigrator.migrate(dataSource)).isEqualTo("99");
        }
    }

    @Test
    void aFailedLatestMigrationGoesThroughFlywayWhichRefusesIt(TestDatabase db) throws Exception {
        try (HikariDataSource dataSource = DataSourceFactory.create(db.jdbcUrl(), db.user(), db.password(), 2)) {
            SchemaMigrator.migrate(dataSource);
            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE " + SchemaMigrator.HISTORY_TABLE + " SET success = 0 WHERE version = '"
                        + SchemaMigrator.LATEST_VERSION + "'");
            }

            assertThatThrownBy(() -> SchemaMigrator.migrate(dataSource)).isInstanceOf(FlywayException.class)
                    .hasMessageContaining("failed migration to version " + SchemaMigrator.LATEST_VERSION);
        }
    }

    /**
     * Instances of a new deployment start at once on the same empty database: each must wait for the one that
     * migrates, never take its half-made tables for someone else's.
     */
    @RepeatedTest(4)
    void instancesStartingTogetherOnAnEmptyDatabaseAllMigrateIt(TestDatabase db) throws Exception {
        int instances = 4;
        List<HikariDataSource> sources = new ArrayList<>();
        ExecutorService starts = Executors.newFixedThreadPool(instances);
        try {
            CyclicBarrier together = new CyclicBarrier(instances);
            List<Future<String>> versions = new ArrayList<>();
            for (int i = 0; i < instances; i++) {
                HikariDataSource dataSource = DataSourceFactory.create(db.jdbcUrl(), db.user(), db.password(), 2);
                sources.add(dataSource);
                versions.add(starts.submit(() -> {
                    together.await();
                    return SchemaMigrator.migrate(dataSource);
                }));
            }
            for (Future<String> version : versions) {
                assertThat(version.get(2, TimeUnit.MINUTES)).isEqualTo(SchemaMigrator.LATEST_VERSION);
            }
        } finally {
            starts.shutdownNow();
            sources.forEach(HikariDataSource::close);
        }
    }

    private static void recordMigration(TestDatabase db, String version, boolean success) throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO " + SchemaMigrator.HISTORY_TABLE + " (installed_rank, version, description,"
                    + " type, script, checksum, installed_by, execution_time, success) SELECT MAX(installed_rank) + 1, '"
                    + version + "', 'from a newer build', 'SQL', 'V" + version + "__newer.sql', 1, 'test', 1, "
                    + (success ? 1 : 0) + " FROM " + SchemaMigrator.HISTORY_TABLE);
        }
    }

    private static List<String> history(TestDatabase db) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT installed_rank, version, installed_on FROM "
                     + SchemaMigrator.HISTORY_TABLE + " ORDER BY installed_rank")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3));
            }
        }
        return rows;
    }
}

package io.agentpresence.consumer.sink;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Applies the versioned schema migrations in {@code db/migration} with Flyway, beside whatever else the database
 * holds. Tables of other names are never touched; a table of one of the consumer's names that its migrations did
 * not create stops it before anything changes ({@link SchemaConflictException}).
 */
public final class SchemaMigrator {

    public static final String HISTORY_TABLE = "agent_presence_schema_history";
    /**
     * The version a database that already holds other tables is marked with before the first migration: below
     * {@code V1}, so every migration still runs. (Flyway's default baseline, 1, would skip {@code V1}.)
     */
    static final String BASELINE_VERSION = "0";
    /** The version of the newest migration in {@code db/migration}; a unit test keeps the two in step. */
    static final String LATEST_VERSION = "5";
    /** The named lock instances take turns under, one per database (a name is at most 64 characters). */
    private static final String LOCK_NAME = "CONCAT('agent-presence-migrate-', SHA1(DATABASE()))";
    private static final Duration LOCK_WAIT = Duration.ofMinutes(5);

    private SchemaMigrator() {
    }

    /**
     * Migrates, unless the history's newest entry is this build's latest migration and none failed: then nothing is
     * left to apply, and Flyway's scan of the class path and of the history (about a second of a start) is skipped.
     * Holds one connection of {@code dataSource} for its lock while Flyway uses another: the pool needs two.
     *
     * @return the schema version after migrating
     */
    public static String migrate(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            // instances that start together on one database take turns: the first migrates, the others then find
            // the latest version; none reads another's half-made tables as someone else's, nor baselines beside it
            lock(c);
            try {
                if (refuseConflicts(c).has(HISTORY_TABLE) && isLatest(c)) {
                    return LATEST_VERSION;
                }
                return migrateBesideOthers(dataSource);
            } finally {
                unlock(c);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read what the database holds before migrating it: "
                    + e.getMessage(), e);
        }
    }

    /** A lock of the server's named for this database, held by {@code c}'s session until {@link #unlock}. */
    private static void lock(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT GET_LOCK(" + LOCK_NAME + ", ?)")) {
            ps.setLong(1, LOCK_WAIT.toSeconds());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getInt(1) != 1) {
                    throw new IllegalStateException("Another instance has been migrating this database for "
                            + LOCK_WAIT.toMinutes() + " minutes (lock " + LOCK_NAME + "); is it stuck?");
                }
            }
        }
    }

    private static void unlock(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT RELEASE_LOCK(" + LOCK_NAME + ")")) {
            rs.next();
        }
    }

    /** Flyway's migrate, without the check for conflicts: for the adoption, which has dealt with them. */
    static String migrateBesideOthers(DataSource dataSource) {
        MigrateResult result = Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .table(HISTORY_TABLE)
                // a database holding other tables but no history of ours gets one, starting below V1
                .baselineOnMigrate(true)
                .baselineVersion(BASELINE_VERSION)
                .baselineDescription("tables of others already in the database")
                .load()
                .migrate();
        return result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion;
    }

    private static SchemaSurvey refuseConflicts(Connection c) throws SQLException {
        SchemaSurvey survey = SchemaSurvey.read(c);
        Optional<String> conflict = conflict(c, survey);
        if (conflict.isPresent()) {
            throw new SchemaConflictException(conflict.get() + " Nothing was changed.");
        }
        return survey;
    }

    /**
     * Whether the history's newest entry is {@link #LATEST_VERSION}, applied, and no entry failed. Anything else (an
     * older schema, a failed migration, one newer than this build knows) goes through Flyway, which says what to do.
     */
    static boolean isLatest(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version, success, (SELECT COUNT(*) FROM " + HISTORY_TABLE
                     + " WHERE success = 0) FROM " + HISTORY_TABLE + " ORDER BY installed_rank DESC LIMIT 1")) {
            return rs.next() && LATEST_VERSION.equals(rs.getString(1)) && rs.getBoolean(2) && rs.getLong(3) == 0;
        }
    }

    /** Why the consumer's migrations must not run on this database as it is, or empty when they may. */
    static Optional<String> conflict(Connection c, SchemaSurvey survey) throws SQLException {
        String table = PresenceUpsert.TABLE;
        String kept = OldTableAdoption.KEPT;
        if (!survey.migrated() && survey.has(table)) {
            String columns = OldTable.describe(c, survey.database(), table);
            if (OldTable.recognize(c, survey.database(), table).isPresent()) {
                return Optional.of("The database " + survey.database() + " holds a table " + table + " that the"
                        + " consumer did not create (" + columns + "): the old presence service's table. The consumer"
                        + " neither writes into it nor replaces it on its own. To take it over, run"
                        + " 'presence-consumer migrate --adopt': it copies every row into the consumer's table (the"
                        + " status kept, event_ts from the old update time, so any newer event wins) and keeps the old"
                        + " table as " + kept + ". To keep them apart instead, give the consumer a database of its own"
                        + " (db.url).");
            }
            return Optional.of("The database " + survey.database() + " holds a table " + table + " that the consumer"
                    + " did not create (" + columns + "), and it is not the old presence service's table (a userId"
                    + " primary key and a status) that 'migrate --adopt' takes over. Rename it, or give the consumer a"
                    + " database of its own (db.url).");
        }
        if (OldTableAdoption.interrupted(c, survey)) {
            return Optional.of("An adoption of the old presence service's table was interrupted before the"
                    + " consumer's table held the old rows. Run 'presence-consumer migrate --adopt' again to finish"
                    + " it.");
        }
        if (!survey.foreignNamesakes().isEmpty()) {
            return Optional.of("The database " + survey.database() + " holds " + String.join(", ",
                    survey.foreignNamesakes()) + ", which the consumer's migrations create, but not the consumer's"
                    + " migration history (" + HISTORY_TABLE + "). Rename or drop them, or give the consumer a"
                    + " database of its own (db.url).");
        }
        return Optional.empty();
    }
}

package io.agentpresence.consumer.sink;

import io.agentpresence.model.PresenceStatuses;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Takes over the old HTTP service's presence table ({@code migrate --adopt}). The old table steps aside while the
 * migrations create the consumer's tables, and comes back for its readers while every old row is copied, in one
 * transaction, into the consumer's new table under {@link #SHADOW}: its status mapped to a configured one
 * ({@link OldStatuses}), its update time as {@code event_ts}, so any newer event wins. One {@code RENAME TABLE} then
 * swaps the two: readers see the old table, then the whole new one, and the old table stays as {@link #KEPT}.
 * Safe to run again: an adoption interrupted at any step is finished, a finished one is reported and left alone.
 * Every refusal comes before the first change.
 */
public final class OldTableAdoption {

    /** Where the old table stays, untouched, until the operator drops it. */
    public static final String KEPT = PresenceUpsert.TABLE + "_before_adopt";
    /** The consumer's new table while the old rows are copied into it. */
    public static final String SHADOW = PresenceUpsert.TABLE + "_adopting";
    /** The time zone the old update times are read in unless told otherwise. */
    public static final String DEFAULT_TIME_ZONE = "+00:00";
    private static final int MAX_USER_ID_LENGTH = 191;

    private final DataSource dataSource;
    private final PresenceStatuses statuses;
    private final String unknownStatus;
    private final String timeZone;

    /**
     * @param unknownStatus the configured status that statuses outside the configured set become, or null to refuse
     *                      the adoption when there are any
     * @param timeZone      the time zone the old update times were written in, as the server names it ({@code +00:00},
     *                      {@code Europe/Berlin} where its time zone tables are loaded)
     */
    public OldTableAdoption(DataSource dataSource, PresenceStatuses statuses, String unknownStatus, String timeZone) {
        if (unknownStatus != null && !statuses.contains(unknownStatus)) {
            throw new IllegalArgumentException("--unknown-status must be one of the configured statuses ("
                    + statuses + "), not '" + unknownStatus + "'");
        }
        this.dataSource = dataSource;
        this.statuses = statuses;
        this.unknownStatus = unknownStatus;
        this.timeZone = timeZone;
    }

    /** Adopts the old table, or finds it adopted before; returns what it did, line by line, for the operator. */
    public List<String> run() throws SQLException {
        SchemaSurvey survey;
        Optional<Plan> plan;
        try (Connection c = dataSource.getConnection()) {
            survey = SchemaSurvey.read(c);
            plan = survey.migrated() && !interrupted(c, survey) ? Optional.empty() : Optional.of(prepare(c, survey));
        }
        if (plan.isEmpty()) {
            return alreadyAdopted(survey);
        }
        String version = SchemaMigrator.migrateBesideOthers(dataSource);
        try (Connection c = dataSource.getConnection()) {
            if (!SchemaSurvey.read(c).has(SHADOW)) {
                // the consumer's table becomes the shadow, and the old table is back for its readers during the copy
                rename(c, PresenceUpsert.TABLE + " TO " + SHADOW + ", " + KEPT + " TO " + PresenceUpsert.TABLE);
            }
        }
        long copied = copy(plan.get());
        try (Connection c = dataSource.getConnection()) {
            rename(c, PresenceUpsert.TABLE + " TO " + KEPT + ", " + SHADOW + " TO " + PresenceUpsert.TABLE);
        }
        List<String> lines = new ArrayList<>();
        lines.add("adopted " + PresenceUpsert.TABLE + ": " + OldStatuses.rows(copied)
                + " copied into the consumer's table (schema at version " + version + ")");
        lines.add(plan.get().statuses().describe());
        lines.add(eventTimes(plan.get().old()));
        lines.addAll(keptTable());
        return lines;
    }

    /** The old table (its columns; its name as the copy reads it), and what its statuses become. */
    private record Plan(OldTable old, OldStatuses statuses) {
    }

    /** Checks everything that can refuse the adoption, then moves the old table aside (unless it is already). */
    private Plan prepare(Connection c, SchemaSurvey survey) throws SQLException {
        refuse(checkNames(survey));
        // where an earlier run left the old table: back under its name beside the shadow, or aside as KEPT
        String source = survey.has(SHADOW) || !survey.has(KEPT) ? PresenceUpsert.TABLE : KEPT;
        OldTable old = OldTable.recognize(c, survey.database(), source).orElseThrow(() -> new SchemaConflictException(
                notTheOldTable(c, survey.database(), source)));
        OldStatuses oldStatuses = OldStatuses.read(c, source, old.statusColumn(), statuses, unknownStatus);
        refuse(OldStatuses.unknownRefusal(oldStatuses, source, statuses));
        refuse(tooLongUserIds(c, old));
        refuse(unknownTimeZone(c));
        if (source.equals(PresenceUpsert.TABLE) && !survey.migrated()) {
            // out of the way of the migrations, which create a table of its name
            rename(c, PresenceUpsert.TABLE + " TO " + KEPT);
        }
        return new Plan(new OldTable(PresenceUpsert.TABLE, old.userColumn(), old.statusColumn(), old.timeColumn()),
                oldStatuses);
    }

    private static void rename(Connection c, String renames) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("RENAME TABLE " + renames);
        }
    }

    /**
     * An adoption that stopped half way: the shadow is there (the old table back under its name), or the old table
     * is aside and the consumer's table missing, or empty with no position stored (nothing consumed into it yet).
     */
    static boolean interrupted(Connection c, SchemaSurvey survey) throws SQLException {
        if (survey.has(SHADOW)) {
            return survey.migrated();
        }
        if (!survey.has(KEPT)) {
            return false;
        }
        if (!survey.migrated()) {
            return !survey.has(PresenceUpsert.TABLE);
        }
        return survey.has(PresenceUpsert.TABLE) && SchemaSurvey.hasRows(c, KEPT)
                && !SchemaSurvey.hasRows(c, PresenceUpsert.TABLE)
                && !(survey.has(OffsetStore.TABLE) && SchemaSurvey.hasRows(c, OffsetStore.TABLE));
    }

    private List<String> alreadyAdopted(SchemaSurvey survey) {
        String version = SchemaMigrator.migrate(dataSource);
        List<String> lines = new ArrayList<>();
        lines.add("nothing to adopt: " + PresenceUpsert.TABLE + " is the consumer's table (schema at version "
                + version + ")");
        if (survey.has(KEPT)) {
            lines.addAll(keptTable());
        }
        return lines;
    }

    private Optional<String> checkNames(SchemaSurvey survey) {
        if (!survey.has(PresenceUpsert.TABLE) && !survey.has(KEPT)) {
            return Optional.of("Nothing to adopt: the database " + survey.database() + " holds no table "
                    + PresenceUpsert.TABLE + ". 'migrate' without --adopt creates the consumer's tables.");
        }
        if (!survey.migrated() && survey.has(PresenceUpsert.TABLE) && survey.has(KEPT)) {
            return Optional.of("Cannot adopt " + PresenceUpsert.TABLE + ": " + KEPT + ", where the old table is kept,"
                    + " exists already. Drop or rename it first.");
        }
        if (!survey.migrated() && survey.has(SHADOW)) {
            return Optional.of("Cannot adopt " + PresenceUpsert.TABLE + ": " + SHADOW + ", which the adoption"
                    + " creates, exists already. Drop or rename it first.");
        }
        List<String> namesakes = survey.foreignNamesakes().stream()
                .filter(t -> !t.equals(PresenceUpsert.TABLE)).toList();
        if (!namesakes.isEmpty()) {
            return Optional.of("Cannot adopt " + PresenceUpsert.TABLE + ": the database " + survey.database()
                    + " also holds " + String.join(", ", namesakes) + ", which the consumer's migrations create."
                    + " Rename or drop them first.");
        }
        return Optional.empty();
    }

    private static String notTheOldTable(Connection c, String database, String table) {
        String columns;
        try {
            columns = OldTable.describe(c, database, table);
        } catch (SQLException e) {
            // the message is still clear without the columns
            columns = "columns unreadable: " + e.getMessage();
        }
        return "Cannot adopt " + table + " (" + columns + "): it is not the old presence service's table, a userId"
                + " (or user_id) primary key with a status column. Nothing was changed.";
    }

    private static Optional<String> tooLongUserIds(Connection c, OldTable old) throws SQLException {
        String user = OldTable.quote(old.userColumn());
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*), MIN(LEFT(" + user + ", 40)) FROM " + old.name()
                + " WHERE CHAR_LENGTH(" + user + ") > ?")) {
            ps.setInt(1, MAX_USER_ID_LENGTH);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long n = rs.getLong(1);
                return n == 0 ? Optional.empty() : Optional.of(old.name() + " holds " + OldStatuses.rows(n)
                        + " whose " + old.userColumn() + " is longer than " + MAX_USER_ID_LENGTH + " characters, the"
                        + " longest user id the consumer keeps (one starts '" + rs.getString(2) + "…'). Shorten or"
                        + " remove them in " + old.name() + " first.");
            }
        }
    }

    private Optional<String> unknownTimeZone(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT CONVERT_TZ('2000-01-01 00:00:00', ?, '+00:00')")) {
            ps.setString(1, timeZone);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1) != null ? Optional.empty() : Optional.of("--old-time-zone: the database does"
                        + " not know the time zone '" + timeZone + "'; give an offset such as +01:00, or load the"
                        + " server's time zone tables.");
            }
        }
    }

    private static void refuse(Optional<String> reason) {
        if (reason.isPresent()) {
            throw new SchemaConflictException(reason.get() + (reason.get().endsWith("Nothing was changed.") ? ""
                    : " Nothing was changed."));
        }
    }

    /** Copies every old row into the shadow in one transaction: all of them (anew) or, when it fails, none. */
    private long copy(Plan plan) throws SQLException {
        OldTable old = plan.old();
        OldStatuses oldStatuses = plan.statuses();
        String time = old.timeColumn() == null ? null : "o." + OldTable.quote(old.timeColumn());
        String eventTs = time == null ? "0" : "COALESCE(FLOOR(UNIX_TIMESTAMP(" + time + ") * 1000), 0)";
        String updatedAt = time == null ? "CURRENT_TIMESTAMP(3)" : "COALESCE(" + time + ", CURRENT_TIMESTAMP(3))";
        String sql = "INSERT INTO " + SHADOW
                + " (user_id, status, event_ts, last_seen, source, updated_at)"
                + " SELECT o." + OldTable.quote(old.userColumn())
                + ", " + oldStatuses.caseExpression("o." + OldTable.quote(old.statusColumn())) + ", " + eventTs + ", "
                + eventTs + ", NULL, " + updatedAt + " FROM " + old.name() + " o";
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement zone = c.prepareStatement("SET time_zone = ?");
                 PreparedStatement ps = c.prepareStatement(sql);
                 Statement reset = c.createStatement()) {
                zone.setString(1, timeZone);
                zone.execute();
                // an earlier run may have copied before it stopped
                reset.execute("DELETE FROM " + SHADOW);
                oldStatuses.bind(ps, 1);
                long copied = ps.executeLargeUpdate();
                c.commit();
                reset.execute("SET time_zone = DEFAULT");
                return copied;
            } catch (SQLException e) {
                PresenceWriter.rollback(c, e);
                throw new SQLException("Copying the old rows from " + old.name() + " failed, so none was copied: "
                        + e.getMessage() + ". Correct them in " + old.name() + " and run 'migrate --adopt' again.", e);
            }
        }
    }

    /** How event_ts was set, read from the old table once it is kept. */
    private String eventTimes(OldTable old) throws SQLException {
        if (old.timeColumn() == null) {
            return "event_ts: 0 for every row (the old table has no updatedAt or updated_at of type DATETIME or"
                    + " TIMESTAMP), so any event wins";
        }
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + KEPT + " WHERE "
                     + OldTable.quote(old.timeColumn()) + " IS NULL")) {
            rs.next();
            long without = rs.getLong(1);
            return "event_ts: " + old.timeColumn() + " read in time zone " + timeZone + ", in epoch milliseconds"
                    + (without == 0 ? "" : "; " + OldStatuses.rows(without) + " without " + old.timeColumn()
                    + " got event_ts 0, so any event for them wins");
        }
    }

    private static List<String> keptTable() {
        return List.of("the old table is kept as " + KEPT + "; when satisfied, drop it with:",
                "DROP TABLE " + KEPT + ";");
    }
}

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
 * Takes over the old HTTP service's presence table ({@code migrate --adopt}): renames it to {@link #KEPT}, lets the
 * migrations create the consumer's tables beside it, and copies every old row into {@code agent_presences} in one
 * transaction, with its status mapped to a configured one ({@link OldStatuses}) and its update time as
 * {@code event_ts}, so any newer event wins. Safe to run again: an adoption interrupted at any step is finished,
 * a finished one is reported and left alone. Every refusal comes before the first change.
 */
public final class OldTableAdoption {

    /** Where the old table stays, untouched, until the operator drops it. */
    public static final String KEPT = PresenceUpsert.TABLE + "_before_adopt";
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
        long copied = copy(plan.get());
        List<String> lines = new ArrayList<>();
        lines.add("adopted " + PresenceUpsert.TABLE + ": " + OldStatuses.rows(copied)
                + " copied into the consumer's table (schema at version " + version + ")");
        lines.add(plan.get().statuses().describe());
        lines.add(eventTimes(plan.get().kept()));
        lines.addAll(keptTable());
        return lines;
    }

    /** The old table as it is kept, and what its statuses become. */
    private record Plan(OldTable kept, OldStatuses statuses) {
    }

    /** Checks everything that can refuse the adoption, then moves the old table aside (unless it is already). */
    private Plan prepare(Connection c, SchemaSurvey survey) throws SQLException {
        refuse(checkNames(survey));
        // moved aside by an earlier run: then the consumer's table is missing, or ours (interrupted())
        boolean renamed = survey.has(KEPT) && (survey.migrated() || !survey.has(PresenceUpsert.TABLE));
        String source = renamed ? KEPT : PresenceUpsert.TABLE;
        OldTable old = OldTable.recognize(c, survey.database(), source).orElseThrow(() -> new SchemaConflictException(
                notTheOldTable(c, survey.database(), source)));
        OldStatuses oldStatuses = OldStatuses.read(c, source, old.statusColumn(), statuses, unknownStatus);
        refuse(OldStatuses.unknownRefusal(oldStatuses, source, statuses));
        refuse(tooLongUserIds(c, old));
        refuse(unknownTimeZone(c));
        if (!renamed) {
            try (Statement s = c.createStatement()) {
                s.execute("RENAME TABLE " + PresenceUpsert.TABLE + " TO " + KEPT);
            }
        }
        return new Plan(new OldTable(KEPT, old.userColumn(), old.statusColumn(), old.timeColumn()), oldStatuses);
    }

    /**
     * An adoption that stopped half way: the old table already renamed, its rows not yet copied. Then the consumer's
     * table is missing, or empty with no position stored (nothing has been consumed into it yet).
     */
    static boolean interrupted(Connection c, SchemaSurvey survey) throws SQLException {
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

    /** Copies every old row in one transaction: all of them or, when it fails, none. */
    private long copy(Plan plan) throws SQLException {
        OldTable kept = plan.kept();
        OldStatuses oldStatuses = plan.statuses();
        String time = kept.timeColumn() == null ? null : "o." + OldTable.quote(kept.timeColumn());
        String eventTs = time == null ? "0" : "COALESCE(FLOOR(UNIX_TIMESTAMP(" + time + ") * 1000), 0)";
        String updatedAt = time == null ? "CURRENT_TIMESTAMP(3)" : "COALESCE(" + time + ", CURRENT_TIMESTAMP(3))";
        String sql = "INSERT INTO " + PresenceUpsert.TABLE
                + " (user_id, status, event_ts, last_seen, source, updated_at)"
                + " SELECT o." + OldTable.quote(kept.userColumn())
                + ", " + oldStatuses.caseExpression("o." + OldTable.quote(kept.statusColumn())) + ", " + eventTs + ", "
                + eventTs + ", NULL, " + updatedAt + " FROM " + KEPT + " o";
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement zone = c.prepareStatement("SET time_zone = ?");
                 PreparedStatement ps = c.prepareStatement(sql);
                 Statement reset = c.createStatement()) {
                zone.setString(1, timeZone);
                zone.execute();
                oldStatuses.bind(ps, 1);
                long copied = ps.executeLargeUpdate();
                c.commit();
                reset.execute("SET time_zone = DEFAULT");
                return copied;
            } catch (SQLException e) {
                PresenceWriter.rollback(c, e);
                throw new SQLException("Copying the old rows from " + KEPT + " failed, so none was copied: "
                        + e.getMessage() + ". Correct them in " + KEPT + " and run 'migrate --adopt' again.", e);
            }
        }
    }

    private String eventTimes(OldTable kept) throws SQLException {
        if (kept.timeColumn() == null) {
            return "event_ts: 0 for every row (the old table has no updatedAt or updated_at of type DATETIME or"
                    + " TIMESTAMP), so any event wins";
        }
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + KEPT + " WHERE "
                     + OldTable.quote(kept.timeColumn()) + " IS NULL")) {
            rs.next();
            long without = rs.getLong(1);
            return "event_ts: " + kept.timeColumn() + " read in time zone " + timeZone + ", in epoch milliseconds"
                    + (without == 0 ? "" : "; " + OldStatuses.rows(without) + " without " + kept.timeColumn()
                    + " got event_ts 0, so any event for them wins");
        }
    }

    private static List<String> keptTable() {
        return List.of("the old table is kept as " + KEPT + "; when satisfied, drop it with:",
                "DROP TABLE " + KEPT + ";");
    }
}

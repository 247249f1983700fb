package io.agentpresence.consumer.sink;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What the database holds before the consumer migrates it: the names of its tables and views, and whether the
 * consumer's own migrations created {@code agent_presences} (its first migration is recorded as applied).
 *
 * @param database the database (schema) the connection uses
 */
record SchemaSurvey(String database, Set<String> tables, boolean migrated) {

    /** The tables the consumer's migrations create: another table of one of these names stops them. */
    static final List<String> MIGRATED_TABLES =
            List.of(PresenceUpsert.TABLE, PresenceUpsert.TOMBSTONES, OffsetStore.TABLE);

    static SchemaSurvey read(Connection c) throws SQLException {
        String database;
        Set<String> tables = new HashSet<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT DATABASE()")) {
            rs.next();
            database = rs.getString(1);
        }
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = ?")) {
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
        }
        boolean migrated = tables.contains(SchemaMigrator.HISTORY_TABLE) && firstMigrationApplied(c);
        return new SchemaSurvey(database, Set.copyOf(tables), migrated);
    }

    private static boolean firstMigrationApplied(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + SchemaMigrator.HISTORY_TABLE
                     + " WHERE version = '1' AND success = 1")) {
            rs.next();
            return rs.getLong(1) > 0;
        }
    }

    boolean has(String table) {
        return tables.contains(table);
    }

    /** Tables of the consumer's names that its migrations did not create. */
    List<String> foreignNamesakes() {
        List<String> namesakes = new ArrayList<>();
        if (!migrated) {
            MIGRATED_TABLES.stream().filter(tables::contains).forEach(namesakes::add);
        }
        return namesakes;
    }

    /** {@code true} when {@code table} holds at least one row. */
    static boolean hasRows(Connection c, String table) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT EXISTS (SELECT 1 FROM " + table + ")")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }
}

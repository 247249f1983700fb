package io.agentpresence.consumer.support;

import io.agentpresence.embedded.junit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Plain SQL on a test's database: statements run, one column read back as strings. */
public final class Sql {

    private Sql() {
    }

    public static void execute(TestDatabase db, String... statements) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    /** The first column of every row {@code query} returns. */
    public static List<String> strings(TestDatabase db, String query) throws SQLException {
        return strings(db, query, 1);
    }

    public static List<String> strings(TestDatabase db, String query, int column) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            while (rs.next()) {
                values.add(rs.getString(column));
            }
        }
        return values;
    }

    /** The tables (and views) of the test's database, by name. */
    public static List<String> tables(TestDatabase db) throws SQLException {
        return strings(db, "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
                + " ORDER BY table_name");
    }

    /** A table as the server describes it ({@code SHOW CREATE TABLE}), then each of its rows, in key order. */
    public static List<String> snapshot(TestDatabase db, String table, String orderBy) throws SQLException {
        List<String> described = new ArrayList<>(strings(db, "SHOW CREATE TABLE " + table, 2));
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT * FROM " + table + " ORDER BY " + orderBy)) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= columns; i++) {
                    row.add(rs.getString(i));
                }
                described.add(String.join(" | ", row.stream().map(String::valueOf).toList()));
            }
        }
        return described;
    }
}

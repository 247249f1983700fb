package io.agentpresence.consumer.sink;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * A presence table the consumer did not create, in the old HTTP service's shape: a user column ({@code userId} or
 * {@code user_id}) as its whole primary key, a {@code status}, and optionally when the row was updated
 * ({@code updatedAt} or {@code updated_at}, a DATETIME or TIMESTAMP). Other columns are allowed and left behind.
 *
 * @param timeColumn null when the table has no update time
 */
record OldTable(String name, String userColumn, String statusColumn, String timeColumn) {

    private static final Set<String> USER_COLUMNS = Set.of("userid", "user_id");
    private static final Set<String> TIME_COLUMNS = Set.of("updatedat", "updated_at");
    private static final Set<String> TIME_TYPES = Set.of("datetime", "timestamp");
    /** Only the consumer's table has it: a table with it is the consumer's, not the old service's. */
    private static final String CONSUMER_COLUMN = "event_ts";

    /** One column as information_schema describes it. */
    record Column(String name, String type, String columnType, boolean primaryKey) {
        String lowerName() {
            return name.toLowerCase(Locale.ROOT);
        }
    }

    /** The old service's table {@code table} in {@code database}, or empty when its columns are not of that shape. */
    static Optional<OldTable> recognize(Connection c, String database, String table) throws SQLException {
        List<Column> columns = columns(c, database, table);
        List<Column> key = columns.stream().filter(Column::primaryKey).toList();
        if (key.size() != 1 || !USER_COLUMNS.contains(key.get(0).lowerName())
                || columns.stream().anyMatch(col -> col.lowerName().equals(CONSUMER_COLUMN))) {
            return Optional.empty();
        }
        Optional<Column> status = columns.stream().filter(col -> col.lowerName().equals("status")).findFirst();
        if (status.isEmpty()) {
            return Optional.empty();
        }
        String time = columns.stream()
                .filter(col -> TIME_COLUMNS.contains(col.lowerName()) && TIME_TYPES.contains(col.type()))
                .map(Column::name).findFirst().orElse(null);
        return Optional.of(new OldTable(table, key.get(0).name(), status.get().name(), time));
    }

    /** {@code userId VARCHAR(255) PRIMARY KEY, status VARCHAR(255), ...}: the columns, for a message. */
    static String describe(Connection c, String database, String table) throws SQLException {
        List<String> described = new ArrayList<>();
        for (Column col : columns(c, database, table)) {
            described.add(col.name() + " " + col.columnType().toUpperCase(Locale.ROOT)
                    + (col.primaryKey() ? " PRIMARY KEY" : ""));
        }
        return String.join(", ", described);
    }

    private static List<Column> columns(Connection c, String database, String table) throws SQLException {
        List<Column> columns = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT column_name, data_type, column_type, column_key"
                + " FROM information_schema.columns WHERE table_schema = ? AND table_name = ?"
                + " ORDER BY ordinal_position")) {
            ps.setString(1, database);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(new Column(rs.getString(1), rs.getString(2).toLowerCase(Locale.ROOT), rs.getString(3),
                            "PRI".equals(rs.getString(4))));
                }
            }
        }
        return columns;
    }

    /** A column name quoted for SQL. */
    static String quote(String column) {
        return "`" + column.replace("`", "``") + "`";
    }
}

package io.agentpresence.consumer.sink;

import io.agentpresence.model.PresenceStatuses;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The statuses an old presence table holds, each mapped to a configured status: the configured one it equals once
 * surrounding spaces are trimmed and case is ignored ({@code ' Online'} becomes {@code online}); any other value,
 * and NULL, to the status given for unknown ones, or to none, which refuses the adoption.
 */
record OldStatuses(List<Group> groups, String unknownStatus) {

    /**
     * Rows of the old table that hold one status value, and the status they get: the configured one it matches
     * ({@code known}), else the status for unknown ones, which is null when none was given.
     */
    record Group(String original, String normalized, long rows, String target, boolean known) {
    }

    /** Trimmed of spaces and lower-cased, by the server, so the grouping and the copy agree on it. */
    static String normalized(String column) {
        return "LOWER(TRIM(CONVERT(" + column + " USING utf8mb4))) COLLATE utf8mb4_bin";
    }

    static OldStatuses read(Connection c, String table, String statusColumn, PresenceStatuses statuses,
            String unknownStatus) throws SQLException {
        Map<String, String> byLowerCase = new LinkedHashMap<>();
        statuses.values().stream().sorted().forEach(s -> byLowerCase.putIfAbsent(s.toLowerCase(Locale.ROOT), s));
        String column = OldTable.quote(statusColumn);
        List<Group> groups = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT CONVERT(" + column + " USING utf8mb4) COLLATE utf8mb4_bin"
                     + " AS original, "
                     + normalized(column) + " AS normalized, COUNT(*) FROM " + table
                     + " GROUP BY original, normalized ORDER BY original")) {
            while (rs.next()) {
                String original = rs.getString(1);
                String normalized = rs.getString(2);
                String match = normalized == null ? null : byLowerCase.get(normalized);
                groups.add(new Group(original, normalized, rs.getLong(3), match != null ? match : unknownStatus,
                        match != null));
            }
        }
        return new OldStatuses(List.copyOf(groups), unknownStatus);
    }

    List<Group> unknown() {
        return groups.stream().filter(g -> !g.known()).toList();
    }

    /** {@code CASE <normalized> WHEN ? THEN ? ... ELSE ? END}, its parameters bound by {@link #bind}. */
    String caseExpression(String column) {
        StringBuilder sql = new StringBuilder("CASE ").append(normalized(column));
        known().forEach((from, to) -> sql.append(" WHEN ? THEN ?"));
        return sql.append(" ELSE ? END").toString();
    }

    /** Binds the parameters of {@link #caseExpression} from index {@code first}; returns the next free index. */
    int bind(PreparedStatement ps, int first) throws SQLException {
        int i = first;
        for (Map.Entry<String, String> e : known().entrySet()) {
            ps.setString(i++, e.getKey());
            ps.setString(i++, e.getValue());
        }
        ps.setString(i++, unknownStatus);
        return i;
    }

    private Map<String, String> known() {
        Map<String, String> known = new LinkedHashMap<>();
        groups.stream().filter(Group::known).forEach(g -> known.put(g.normalized(), g.target()));
        return known;
    }

    /** {@code 'dnd' (2 rows), NULL (1 row)}: the groups, at most {@code limit} of them, for a message. */
    static String list(List<Group> groups, int limit, boolean withTarget) {
        List<String> parts = new ArrayList<>();
        for (Group g : groups.subList(0, Math.min(limit, groups.size()))) {
            String from = g.original() == null ? "NULL" : "'" + g.original() + "'";
            parts.add(from + (withTarget ? " -> '" + g.target() + "'" : "") + " (" + rows(g.rows())
                    + (withTarget && !g.known() ? ", --unknown-status" : "") + ")");
        }
        if (groups.size() > limit) {
            parts.add("and " + (groups.size() - limit) + " more values");
        }
        return String.join(", ", parts);
    }

    /** How the statuses were carried over, in one line. */
    String describe() {
        long same = groups.stream().filter(g -> g.target() != null && g.target().equals(g.original()))
                .mapToLong(Group::rows).sum();
        List<Group> changed = groups.stream()
                .filter(g -> g.target() == null || !g.target().equals(g.original())).toList();
        return "statuses: " + rows(same) + " unchanged" + (changed.isEmpty() ? "" : ", " + list(changed, 20, true));
    }

    static String rows(long n) {
        return n + (n == 1 ? " row" : " rows");
    }

    static Optional<String> unknownRefusal(OldStatuses statuses, String table, PresenceStatuses configured) {
        List<Group> unknown = statuses.unknown();
        if (unknown.isEmpty() || statuses.unknownStatus() != null) {
            return Optional.empty();
        }
        return Optional.of(table + " holds statuses that are none of the configured ones (" + configured
                + ", compared without surrounding spaces and ignoring case): " + list(unknown, 20, false)
                + ". Say which configured status they become with --unknown-status STATUS (offline, say),"
                + " or change them in " + table + " first.");
    }
}

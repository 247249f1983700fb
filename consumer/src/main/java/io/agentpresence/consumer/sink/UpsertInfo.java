package io.agentpresence.consumer.sink;

import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Splits a multi-row upsert's outcome into inserted, updated and unchanged rows. Affected rows alone cannot
 * (an insert counts 1, an update 2, an unchanged row 0); the server's info line "Records: N Duplicates: D"
 * adds D = rows updated, so inserted = affected - 2D and unchanged = N - inserted - D.
 */
final class UpsertInfo {

    private static final Logger LOG = LoggerFactory.getLogger(UpsertInfo.class);
    private static final Pattern INFO = Pattern.compile("Records:\\s*(\\d+)\\s+Duplicates:\\s*(\\d+)");
    private static volatile boolean warned;

    private UpsertInfo() {
    }

    static WriteResult split(int rows, int affected, String info) {
        if (rows == 1) {
            // the server sends no info line for one row, and needs none: 1 inserted, 2 updated, 0 unchanged
            return new WriteResult(affected == 1 ? 1 : 0, affected == 2 ? 1 : 0, affected == 0 ? 1 : 0, 0, 0);
        }
        Matcher m = info == null ? null : INFO.matcher(info);
        if (m == null || !m.find()) {
            if (!warned) {
                warned = true;
                LOG.warn("The driver does not report upsert details; applied and stale counts are estimates");
            }
            long updated = Math.max(0, affected - rows);
            return new WriteResult(rows - updated, updated, 0, 0, 0);
        }
        long updated = Long.parseLong(m.group(2));
        long inserted = affected - 2 * updated;
        return new WriteResult(inserted, updated, rows - inserted - updated, 0, 0);
    }

    /** The info line of the statement's last result, through Connector/J; null with another driver. */
    static String serverInfo(Statement statement) {
        try {
            return statement.unwrap(com.mysql.cj.jdbc.JdbcStatement.class).getResultSetInternal().getServerInfo();
        } catch (SQLException | RuntimeException e) {
            // not Connector/J, or a version without this method: counts fall back to estimates
            return null;
        }
    }
}

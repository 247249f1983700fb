package io.agentpresence.consumer.sink;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * How the upsert names the incoming row. MySQL 8.0.19+ has the row alias ({@code VALUES (...) AS new}) and
 * deprecates {@code VALUES(col)}; MariaDB and older MySQL know only {@code VALUES(col)} and reject the alias.
 */
public enum SqlDialect {
    /** MySQL 8.0.19 and later. */
    MYSQL_ROW_ALIAS,
    /** MariaDB, and MySQL before 8.0.19. */
    VALUES_FUNCTION;

    private static final Pattern MYSQL_VERSION = Pattern.compile("^(\\d+)\\.(\\d+)\\.(\\d+)");

    /** Picks the dialect from the server's {@code VERSION()}, e.g. {@code 10.11.19-MariaDB} or {@code 8.4.3}. */
    public static SqlDialect fromVersion(String version) {
        if (version.contains("MariaDB")) {
            return VALUES_FUNCTION;
        }
        Matcher m = MYSQL_VERSION.matcher(version);
        if (!m.find()) {
            return VALUES_FUNCTION;
        }
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        int patch = Integer.parseInt(m.group(3));
        boolean aliasSupported = major > 8 || (major == 8 && (minor > 0 || patch >= 19));
        return aliasSupported ? MYSQL_ROW_ALIAS : VALUES_FUNCTION;
    }

    /** The dialect of the server behind {@code dataSource}. */
    public static SqlDialect of(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return fromVersion(serverVersion(c));
        }
    }

    /** Asks the server; the driver's metadata version is useless here (Connector/J reports MariaDB as 5.5). */
    public static String serverVersion(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT VERSION()")) {
            rs.next();
            return rs.getString(1);
        }
    }
}

package io.agentpresence.embedded.junit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * A fresh, empty database (schema) made for one test and dropped after it, on whichever server the run uses.
 *
 * @param jdbcUrl  a {@code jdbc:mysql://} URL naming the database
 * @param server   a one-line description of the server, e.g. "MariaDB at 127.0.0.1:3306"
 */
public record TestDatabase(String jdbcUrl, String user, String password, String name, String server) {

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, user, password);
    }
}

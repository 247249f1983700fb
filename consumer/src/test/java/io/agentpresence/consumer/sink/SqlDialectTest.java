package io.agentpresence.consumer.sink;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SqlDialectTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "10.11.19-MariaDB-0+deb12u1, VALUES_FUNCTION",
        "11.4.5-MariaDB, VALUES_FUNCTION",
        "5.5.5-10.11.19-MariaDB, VALUES_FUNCTION",
        "5.7.44, VALUES_FUNCTION",
        "8.0.18, VALUES_FUNCTION",
        "8.0.19, MYSQL_ROW_ALIAS",
        "8.0.36-commercial, MYSQL_ROW_ALIAS",
        "8.4.3, MYSQL_ROW_ALIAS",
        "9.7.0, MYSQL_ROW_ALIAS",
        "26.10.0, MYSQL_ROW_ALIAS",
        "unknown, VALUES_FUNCTION"
    })
    void theServerVersionPicksTheDialect(String version, SqlDialect expected) {
        assertThat(SqlDialect.fromVersion(version)).isEqualTo(expected);
    }
}

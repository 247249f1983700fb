package io.agentpresence.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentpresence.consumer.support.RepositoryFile;
import io.agentpresence.embedded.junit.PresenceInfrastructure;
import io.agentpresence.embedded.junit.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code bin/presence-consumer} as an operator runs it from a checkout after the build: the service jar's commands. */
@ExtendWith(PresenceInfrastructure.class)
class LauncherIT {

    @Test
    void theLauncherRunsTheServiceJarsMigrateAgainstTheDatabase(TestDatabase db) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(RepositoryFile.find(Path.of("bin", "presence-consumer")).toString(),
                "migrate");
        builder.environment().keySet().removeIf(name -> name.startsWith("PRESENCE_"));
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("PRESENCE_DB_URL", db.jdbcUrl());
        builder.environment().put("PRESENCE_DB_USER", db.user());
        builder.environment().put("PRESENCE_DB_PASSWORD", db.password() == null ? "" : db.password());
        builder.redirectErrorStream(true);

        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        try (Connection connection = db.connect();
             ResultSet tables = connection.getMetaData().getTables(db.name(), null, "agent_presences", null)) {
            assertThat(tables.next()).as("agent_presences created by the migration").isTrue();
        }
    }
}

package io.agentpresence.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentpresence.consumer.support.RepositoryFile;
import io.agentpresence.embedded.junit.KafkaEndpoint;
import io.agentpresence.embedded.junit.PresenceInfrastructure;
import io.agentpresence.embedded.junit.TestDatabase;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code bin/presence-consumer} as an operator runs it from a checkout after the build: the service jar's commands. */
@ExtendWith(PresenceInfrastructure.class)
class LauncherIT {

    @Test
    void theLauncherRunsTheServiceJarsMigrateAgainstTheDatabase(TestDatabase db) throws Exception {
        Process process = launch(database(db), "migrate");
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        try (Connection connection = db.connect();
             ResultSet tables = connection.getMetaData().getTables(db.name(), null, "agent_presences", null)) {
            assertThat(tables.next()).as("agent_presences created by the migration").isTrue();
        }
    }

    @Test
    void theServiceStartsFromTheArchiveTheBuildMade(KafkaEndpoint kafka, TestDatabase db) throws Exception {
        assertThat(Path.of("target", "presence-consumer.jsa")).as("the archive made in the package phase").isRegularFile();
        String topic = "launcher-" + UUID.randomUUID();
        Map<String, String> env = new HashMap<>(database(db));
        env.put("PRESENCE_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("PRESENCE_TOPIC", topic);
        env.put("PRESENCE_DLQ_TOPIC", topic + ".dlq");
        env.put("PRESENCE_GROUP_ID", topic);
        env.put("PRESENCE_HTTP_PORT", "-1");
        // -Xshare:on refuses to start when the archive cannot be used, instead of going on without it
        env.put("PRESENCE_JAVA_OPTS", "-Xshare:on -Xlog:class+load=info");

        List<String> lines = untilConsuming(launch(env, "run"));

        assertThat(lines).as("the command's own classes and the Kafka consumer's, from the build's archive")
                .anyMatch(line -> line.contains(" io.agentpresence.consumer.ConsumerApp$Run source: shared objects file"))
                .anyMatch(line -> line.contains(" org.apache.kafka.clients.consumer.KafkaConsumer source: shared objects file"));
    }

    /** The output of {@code run} until it says it consumes; then it is stopped as a supervisor stops it (SIGTERM). */
    private static List<String> untilConsuming(Process process) throws Exception {
        List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                lines.add(line);
                if (line.contains("Consuming ")) {
                    break;
                }
            }
        } finally {
            process.destroy();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(lines).as("the service started").anyMatch(line -> line.contains("Consuming "));
        return lines;
    }

    private static Map<String, String> database(TestDatabase db) {
        return Map.of("PRESENCE_DB_URL", db.jdbcUrl(), "PRESENCE_DB_USER", db.user(),
                "PRESENCE_DB_PASSWORD", db.password() == null ? "" : db.password());
    }

    /** {@code bin/presence-consumer} on this JVM, stdout and stderr together, with only {@code env} of ours set. */
    private static Process launch(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(RepositoryFile.find(Path.of("bin", "presence-consumer")).toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(name -> name.startsWith("PRESENCE_"));
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().putAll(env);
        builder.redirectErrorStream(true);
        return builder.start();
    }
}

package io.agentpresence.consumer.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The service as operators run it: {@code java -jar presence-consumer.jar run} in a JVM of its own, configured the
 * way a container would be, by {@code PRESENCE_*} environment variables, and set up to be killed.
 */
public final class ConsumerProcess {

    private ConsumerProcess() {
    }

    /** The build directory holding the shaded jar; failsafe passes it in. */
    public static Path buildDir() {
        return Path.of(Objects.requireNonNull(System.getProperty("presence.build.dir"),
                "presence.build.dir (failsafe sets it to the build directory holding presence-consumer.jar)"));
    }

    /** Starts the jar's {@code run} with {@code settings} as its environment, its output in {@code log}. */
    public static Process start(Map<String, String> settings, Path log) throws IOException {
        return start("run", settings, log);
    }

    /** Starts the jar's {@code command} with {@code settings} as its environment, its output in {@code log}. */
    public static Process start(String command, Map<String, String> settings, Path log) throws IOException {
        Path jar = buildDir().resolve("presence-consumer.jar");
        assertThat(jar).as("the shaded jar (built in the package phase)").exists();
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", jar.toString(), command);
        Map<String, String> env = builder.environment();
        // only what the test sets, whatever the machine running it has exported
        env.keySet().removeIf(name -> name.startsWith("PRESENCE_"));
        env.put("PRESENCE_MAX_POLL_RECORDS", "500");
        // a killed member never leaves; the broker's minimum session timeout lets its partitions move soonest
        env.put("PRESENCE_KAFKA_SESSION_TIMEOUT_MS", "6000");
        env.put("PRESENCE_KAFKA_HEARTBEAT_INTERVAL_MS", "1000");
        // any free port for /health and /metrics: other builds on this machine may hold the default
        env.put("PRESENCE_HTTP_PORT", "0");
        settings.forEach((key, value) -> env.put(envName(key), value));
        builder.redirectErrorStream(true);
        builder.redirectOutput(log.toFile());
        return builder.start();
    }

    /** {@code db.url} → {@code PRESENCE_DB_URL}; {@code kafka.*} keys likewise, as the config reads them back. */
    static String envName(String key) {
        return "PRESENCE_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The last {@code lines} lines of a process log, for a failure message. */
    public static String tail(Path log, int lines) throws IOException {
        List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }
}

package io.agentpresence.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agentpresence.consumer.support.PresenceStream;
import io.agentpresence.consumer.support.PresenceStream.Sending;
import io.agentpresence.consumer.support.PresenceTable;
import io.agentpresence.consumer.support.StoredPositions;
import io.agentpresence.consumer.support.Topics;
import io.agentpresence.embedded.junit.KafkaEndpoint;
import io.agentpresence.embedded.junit.PresenceInfrastructure;
import io.agentpresence.embedded.junit.TestDatabase;
import io.agentpresence.model.PresenceEventCodec;
import io.agentpresence.model.PresencePublisher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The service as operators run it, a separate JVM from the shaded jar, killed with SIGKILL while it writes
 * batches and started again: the rows and positions of one batch commit together or not at all, so the
 * restarted process picks up exactly where the database says and the table ends as the model predicts.
 */
@ExtendWith(PresenceInfrastructure.class)
class CrashRecoveryIT {

    private static final int PARTITIONS = 6;
    private static final int USERS = 300;
    private static final int EVENTS = 30_000;
    /** Published before the first start, so the first instance begins with full batches back to back. */
    private static final int BACKLOG = 10_000;
    private static final Duration STREAM = Duration.ofSeconds(15);
    /** Per kill: how far the stored positions must have moved on since the last restart. */
    private static final long PROGRESS_BEFORE_KILL = 2_000;
    private static final Duration CONVERGE = Duration.ofSeconds(60);
    private static final Duration WATCH = Duration.ofMillis(10);

    private final List<Process> processes = new ArrayList<>();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private KafkaEndpoint kafka;
    private TestDatabase db;
    private String topic;
    private String group;
    private Path logDir;

    @BeforeEach
    void setUp(KafkaEndpoint kafka, TestDatabase db) throws Exception {
        this.kafka = kafka;
        this.db = db;
        this.topic = Topics.create(kafka.bootstrapServers(), "crash", PARTITIONS);
        // answers only once every partition's leader does; an idempotent producer that races the election can
        // have its first batch refused while later ones land, and then lose it as out of sequence
        StoredPositions.endOffsets(kafka.bootstrapServers(), topic, PARTITIONS);
        this.group = "group-" + topic;
        String buildDir = Objects.requireNonNull(System.getProperty("presence.build.dir"),
                "presence.build.dir (failsafe sets it to the build directory holding presence-consumer.jar)");
        this.logDir = Files.createDirectories(Path.of(buildDir, "crash-recovery"));
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Process p : processes) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        for (AutoCloseable r : resources) {
            r.close();
        }
    }

    @Test
    void aConsumerKilledTwiceMidBatchAndRestartedEndsWithTheTableTheModelPredicts() throws Exception {
        PresenceStream stream = PresenceStream.random(11, EVENTS, USERS);
        PresencePublisher publisher = new PresencePublisher(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers()), topic, new PresenceEventCodec());
        resources.add(publisher);
        stream.publish(publisher, 0, BACKLOG, Duration.ZERO).awaitAcknowledged(CONVERGE);

        Process first = startConsumer(1);
        Sending rest = stream.publish(publisher, BACKLOG, EVENTS, STREAM);
        resources.add(0, rest::cancel);
        Map<Integer, Long> afterFirstKill = killWhileWriting(first, 1, PROGRESS_BEFORE_KILL);
        Process second = startConsumer(2);
        killWhileWriting(second, 2, total(afterFirstKill) + PROGRESS_BEFORE_KILL);
        Process third = startConsumer(3);

        rest.awaitAcknowledged(CONVERGE);
        Map<Integer, Long> ends = StoredPositions.endOffsets(kafka.bootstrapServers(), topic, PARTITIONS);
        assertThat(total(ends)).isEqualTo(EVENTS);
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            assertAlive(third, 3);
            assertThat(StoredPositions.read(db, group, topic)).isEqualTo(ends);
        });
        assertThat(new PresenceTable(db).rows()).isEqualTo(stream.expectedRows());
    }

    /**
     * Waits until the stored positions reach {@code threshold} in all, then kills the process without warning.
     * Checks that it died with records still to write, and that no committed batch was undone.
     */
    private Map<Integer, Long> killWhileWriting(Process process, int instance, long threshold) throws Exception {
        await().atMost(CONVERGE).pollInterval(WATCH).untilAsserted(() -> {
            assertAlive(process, instance);
            assertThat(StoredPositions.total(db, group, topic)).isGreaterThanOrEqualTo(threshold);
        });
        Map<Integer, Long> before = StoredPositions.read(db, group, topic);
        process.destroyForcibly();
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("instance %d died", instance).isTrue();

        Map<Integer, Long> after = StoredPositions.read(db, group, topic);
        long end = total(StoredPositions.endOffsets(kafka.bootstrapServers(), topic, PARTITIONS));
        assertThat(StoredPositions.movedBack(before, after)).as("partitions whose stored position the kill moved back")
                .isEmpty();
        assertThat(total(after)).as("records applied when instance %d was killed, of %d published", instance, end)
                .isLessThan(end);
        return after;
    }

    /** {@code java -jar presence-consumer.jar run}, configured the way a container would be: by environment. */
    private Process startConsumer(int instance) throws IOException {
        Path jar = logDir.getParent().resolve("presence-consumer.jar");
        assertThat(jar).as("the shaded jar (built in the package phase)").exists();
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", jar.toString(), "run");
        Map<String, String> env = builder.environment();
        // only what this test sets, whatever the machine running it has exported
        env.keySet().removeIf(name -> name.startsWith("PRESENCE_"));
        env.put("PRESENCE_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("PRESENCE_DB_URL", db.jdbcUrl());
        env.put("PRESENCE_DB_USER", db.user());
        env.put("PRESENCE_DB_PASSWORD", db.password());
        env.put("PRESENCE_TOPIC", topic);
        env.put("PRESENCE_GROUP_ID", group);
        env.put("PRESENCE_POLL_TIMEOUT", "100ms");
        env.put("PRESENCE_MAX_POLL_RECORDS", "500");
        // the killed member never leaves; the broker's minimum session timeout lets the restart in soonest
        env.put("PRESENCE_KAFKA_SESSION_TIMEOUT_MS", "6000");
        env.put("PRESENCE_KAFKA_HEARTBEAT_INTERVAL_MS", "1000");
        // any free port for /health and /metrics: other builds on this machine may hold the default
        env.put("PRESENCE_HTTP_PORT", "0");
        builder.redirectErrorStream(true);
        builder.redirectOutput(logFile(instance).toFile());
        Process process = builder.start();
        processes.add(process);
        return process;
    }

    private Path logFile(int instance) {
        return logDir.resolve(topic + "-consumer-" + instance + ".log");
    }

    private void assertAlive(Process process, int instance) throws IOException {
        if (!process.isAlive()) {
            throw new AssertionError("instance " + instance + " exited with " + process.exitValue() + "; its log ("
                    + logFile(instance) + ") ends:\n" + tail(logFile(instance), 40));
        }
    }

    private static String tail(Path file, int lines) throws IOException {
        List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    private static long total(Map<Integer, Long> positions) {
        return positions.values().stream().mapToLong(Long::longValue).sum();
    }
}

package io.agentpresence.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agentpresence.consumer.support.ConsumerFixture;
import io.agentpresence.consumer.support.ConsumerProcess;
import io.agentpresence.consumer.support.PresenceStream;
import io.agentpresence.consumer.support.PresenceStream.Sending;
import io.agentpresence.consumer.support.PresenceTable;
import io.agentpresence.consumer.support.StoredPositions;
import io.agentpresence.embedded.junit.KafkaEndpoint;
import io.agentpresence.embedded.junit.PresenceInfrastructure;
import io.agentpresence.embedded.junit.TestDatabase;
import io.agentpresence.model.PresencePublisher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
    private ConsumerFixture fixture;
    private TestDatabase db;
    private String topic;
    private String group;
    private Path logDir;

    @BeforeEach
    void setUp(KafkaEndpoint kafka, TestDatabase db) throws Exception {
        this.fixture = new ConsumerFixture(kafka, db);
        this.db = db;
        this.topic = fixture.topic("crash", PARTITIONS);
        // answers only once every partition's leader does; an idempotent producer that races the election can
        // have its first batch refused while later ones land, and then lose it as out of sequence
        StoredPositions.endOffsets(fixture.bootstrapServers(), topic, PARTITIONS);
        this.group = "group-" + topic;
        this.logDir = Files.createDirectories(ConsumerProcess.buildDir().resolve("crash-recovery"));
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Process p : processes) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        fixture.close();
    }

    @Test
    void aConsumerKilledTwiceMidBatchAndRestartedEndsWithTheTableTheModelPredicts() throws Exception {
        PresenceStream stream = PresenceStream.random(11, EVENTS, USERS);
        PresencePublisher publisher = fixture.publisher(topic);
        stream.publish(publisher, 0, BACKLOG, Duration.ZERO).awaitAcknowledged(CONVERGE);

        Process first = startConsumer(1);
        Sending rest = stream.publish(publisher, BACKLOG, EVENTS, STREAM);
        fixture.closeLater(rest::cancel);
        Map<Integer, Long> afterFirstKill = killWhileWriting(first, 1, PROGRESS_BEFORE_KILL);
        Process second = startConsumer(2);
        killWhileWriting(second, 2, StoredPositions.total(afterFirstKill) + PROGRESS_BEFORE_KILL);
        Process third = startConsumer(3);

        rest.awaitAcknowledged(CONVERGE);
        Map<Integer, Long> ends = StoredPositions.endOffsets(fixture.bootstrapServers(), topic, PARTITIONS);
        assertThat(StoredPositions.total(ends)).isEqualTo(EVENTS);
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
        long end = StoredPositions.total(StoredPositions.endOffsets(fixture.bootstrapServers(), topic, PARTITIONS));
        assertThat(StoredPositions.movedBack(before, after)).as("partitions whose stored position the kill moved back")
                .isEmpty();
        assertThat(StoredPositions.total(after))
                .as("records applied when instance %d was killed, of %d published", instance, end).isLessThan(end);
        return after;
    }

    /** The shaded jar in a JVM of its own, configured the way a container would be: by environment. */
    private Process startConsumer(int instance) throws IOException {
        Process process = ConsumerProcess.start(fixture.settings(topic, group), logFile(instance));
        processes.add(process);
        return process;
    }

    private Path logFile(int instance) {
        return logDir.resolve(topic + "-consumer-" + instance + ".log");
    }

    private void assertAlive(Process process, int instance) throws IOException {
        if (!process.isAlive()) {
            throw new AssertionError("instance " + instance + " exited with " + process.exitValue() + "; its log ("
                    + logFile(instance) + ") ends:\n" + ConsumerProcess.tail(logFile(instance), 40));
        }
    }
}

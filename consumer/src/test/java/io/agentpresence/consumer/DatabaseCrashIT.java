package io.agentpresence.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.agentpresence.consumer.ops.PresenceMetrics;
import io.agentpresence.consumer.support.ConsumerFixture;
import io.agentpresence.consumer.support.Counters;
import io.agentpresence.consumer.support.PresenceStream;
import io.agentpresence.consumer.support.PresenceStream.Sending;
import io.agentpresence.consumer.support.PresenceTable;
import io.agentpresence.consumer.support.StoredPositions;
import io.agentpresence.consumer.support.TopicReader;
import io.agentpresence.embedded.junit.KafkaEndpoint;
import io.agentpresence.embedded.junit.MariaDbProcess;
import io.agentpresence.embedded.junit.PresenceInfrastructure;
import io.agentpresence.embedded.junit.TestDatabase;
import io.agentpresence.model.PresencePublisher;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database server process is killed with SIGKILL mid-stream and started again on the same port and data, so
 * InnoDB recovers as after a crash: a server the test runs itself ({@code mariadbd}), not the shared one. The
 * consumer must retry through it and, once the stream is through, hold exactly what the events predict, with
 * nothing dead-lettered and every stored position at the end of its partition.
 */
@ExtendWith(PresenceInfrastructure.class)
class DatabaseCrashIT {

    private static final int PARTITIONS = 4;
    private static final int USERS = 300;
    private static final int EVENTS = 4_000;
    /** Each half of the stream is spread over this long. */
    private static final Duration HALF = Duration.ofSeconds(4);
    /** Records applied before the kill: the crash must hit a stream in progress. */
    private static final long APPLIED_BEFORE_KILL = 500;
    private static final Duration DOWN = Duration.ofSeconds(3);
    private static final Duration CONVERGE = Duration.ofSeconds(45);

    @TempDir
    Path dir;
    private ConsumerFixture fixture;

    @AfterEach
    void tearDown() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void aDatabaseServerKilledAndRestartedMidStreamLosesNothingAndDeadLettersNothing(KafkaEndpoint kafka)
            throws Exception {
        assumeTrue(MariaDbProcess.installed(), "mariadbd and mariadb-install-db are not installed");
        MariaDbProcess server = MariaDbProcess.start(dir.resolve("mariadb"));
        TestDatabase db = server.createDatabase("crash");
        fixture = new ConsumerFixture(kafka, db);
        fixture.closeLater(server);
        String topic = fixture.topic("db-crash", PARTITIONS);
        String group = "db-crash-" + topic;
        Map<String, String> settings = fixture.settings(topic, group);
        settings.put("retry.backoff.max", "1s");
        ConsumerService consumer = fixture.start(settings);
        await().atMost(CONVERGE).until(consumer::isReady);

        // the first half, applied in part; the second half being written when the server dies
        PresenceStream stream = PresenceStream.random(5, EVENTS, USERS);
        PresencePublisher publisher = fixture.publisher(topic);
        stream.publish(publisher, 0, EVENTS / 2, HALF).awaitAcknowledged(CONVERGE);
        await().atMost(CONVERGE).until(() -> StoredPositions.total(db, group, topic) >= APPLIED_BEFORE_KILL);
        Sending second = stream.publish(publisher, EVENTS / 2, EVENTS, HALF);
        fixture.closeLater(second::cancel);
        await().atMost(CONVERGE).until(() -> second.published() > 0);

        server.kill();
        int publishedAtKill = EVENTS / 2 + second.published();
        Thread.sleep(DOWN.toMillis());
        server.restart();

        second.awaitAcknowledged(CONVERGE);
        await().atMost(CONVERGE).until(() -> StoredPositions.total(db, group, topic) == EVENTS);

        assertThat(new PresenceTable(db).rows()).isEqualTo(stream.expectedRows());
        assertThat(StoredPositions.read(db, group, topic))
                .isEqualTo(StoredPositions.endOffsets(fixture.bootstrapServers(), topic, PARTITIONS));
        assertThat(publishedAtKill).as("events published before the kill").isLessThan(EVENTS);
        assertThat(Counters.sum(consumer, PresenceMetrics.BATCH_RETRIES)).as("writes retried through the crash")
                .isPositive();
        assertThat(Counters.sum(consumer, PresenceMetrics.EVENTS_DEAD_LETTERED)).isZero();
        assertThat(TopicReader.readAll(fixture.bootstrapServers(), topic + ".dlq")).isEmpty();
        assertThat(consumer.failure()).isNull();
        await().atMost(CONVERGE).until(consumer::isReady);
    }
}

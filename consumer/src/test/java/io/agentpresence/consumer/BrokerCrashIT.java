package io.agentpresence.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agentpresence.consumer.config.PresenceConsumerConfig;
import io.agentpresence.consumer.fold.FoldService;
import io.agentpresence.consumer.fold.FoldSettings;
import io.agentpresence.consumer.support.ConsumerFixture;
import io.agentpresence.consumer.support.PresenceModel;
import io.agentpresence.consumer.support.PresenceStream;
import io.agentpresence.consumer.support.PresenceStream.Sending;
import io.agentpresence.consumer.support.PresenceTable;
import io.agentpresence.consumer.support.PresenceTable.Row;
import io.agentpresence.consumer.support.StoredPositions;
import io.agentpresence.embedded.junit.KafkaBrokerProcess;
import io.agentpresence.embedded.junit.PresenceInfrastructure;
import io.agentpresence.embedded.junit.TestDatabase;
import io.agentpresence.model.PresenceEvent;
import io.agentpresence.model.PresencePublisher;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka broker is killed with SIGKILL mid-stream and started again on the same ports and log directories,
 * while events reach the presence topic directly and through the fold. The consumer and the fold must ride it
 * out: once the stream is through, the table is what the events predict, and neither service has given up.
 */
@ExtendWith(PresenceInfrastructure.class)
class BrokerCrashIT {

    private static final int PARTITIONS = 4;
    private static final int USERS = 300;
    private static final int EVENTS = 4_000;
    private static final int DEVICE_USERS = 50;
    private static final int DEVICE_EVENTS = 600;
    /** Each half of both streams is spread over this long. */
    private static final Duration HALF = Duration.ofSeconds(5);
    /** Records applied before the kill: the crash must hit a stream in progress. */
    private static final long APPLIED_BEFORE_KILL = 500;
    private static final Duration DOWN = Duration.ofSeconds(3);
    private static final Duration CONVERGE = Duration.ofSeconds(45);
    /**
     * After the restart: the fold, fenced by it, rejoins, waits for the killed transactions to be aborted and restores
     * its stores before it writes again; on a loaded 2-core machine that has once taken longer than 45 s.
     */
    private static final Duration RECOVER = Duration.ofSeconds(120);
    /** Sends wait out the broker's downtime and restart (its log recovery included) instead of failing. */
    private static final Duration DELIVERY_TIMEOUT = Duration.ofMinutes(2);
    private static final List<String> STATUSES = List.of("online", "away", "busy", "offline");

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
    void aBrokerKilledAndRestartedMidStreamLosesNothingAndTheConsumerAndTheFoldKeepGoing(TestDatabase db)
            throws Exception {
        KafkaBrokerProcess broker = KafkaBrokerProcess.start(dir.resolve("broker"));
        fixture = new ConsumerFixture(broker, db);
        fixture.closeLater(broker);
        String topic = fixture.topic("crash", PARTITIONS);
        String devices = fixture.topic("crash-devices", 2);
        String group = "crash-" + topic;
        Map<String, String> settings = fixture.settings(topic, group);
        settings.put("retry.backoff.max", "1s");
        ConsumerService consumer = fixture.start(settings);
        FoldService fold = fixture.closeLater(FoldService.start(PresenceConsumerConfig.fromMap(foldSettings(topic,
                devices), FoldSettings.KEYS)));
        await().atMost(CONVERGE).until(() -> consumer.isReady() && fold.isReady());

        // the first half, applied in part; the second half in flight when the broker dies, sent on after the restart
        PresenceStream stream = PresenceStream.random(7, EVENTS, USERS);
        PresencePublisher publisher = fixture.publisher(topic, DELIVERY_TIMEOUT);
        PresencePublisher devicePublisher = fixture.publisher(devices, DELIVERY_TIMEOUT);
        PresenceModel folded = new PresenceModel();
        Sending first = stream.publish(publisher, 0, EVENTS / 2, HALF);
        Future<?> firstDevices = publishDevices(devicePublisher, folded, 0, DEVICE_EVENTS / 2);
        first.awaitAcknowledged(CONVERGE);
        firstDevices.get(CONVERGE.toSeconds(), TimeUnit.SECONDS);
        PresenceTable table = new PresenceTable(db);
        await().atMost(CONVERGE).until(() -> StoredPositions.total(db, group, topic) >= APPLIED_BEFORE_KILL
                && table.row("device-user-0").isPresent());
        Sending direct = stream.publish(publisher, EVENTS / 2, EVENTS, HALF);
        fixture.closeLater(direct::cancel);
        Future<?> deviceSends = publishDevices(devicePublisher, folded, DEVICE_EVENTS / 2, DEVICE_EVENTS);
        await().atMost(CONVERGE).until(() -> direct.published() > 0 && folded.records() > DEVICE_EVENTS / 2);

        broker.kill();
        int directAtKill = EVENTS / 2 + direct.published();
        long foldedAtKill = folded.records();
        Thread.sleep(DOWN.toMillis());
        broker.restart();

        direct.awaitAcknowledged(CONVERGE);
        deviceSends.get(CONVERGE.toSeconds(), TimeUnit.SECONDS);
        Map<String, Row> expected = new TreeMap<>(stream.expectedRows());
        expected.putAll(folded.rows());
        try {
            await().atMost(RECOVER).untilAsserted(() -> assertThat(table.differencesFrom(expected)).isEmpty());
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no convergence after the restart; " + diagnosis(db, consumer, fold, topic,
                    group), e);
        }

        assertThat(directAtKill).as("events published before the kill").isLessThan(EVENTS);
        assertThat(foldedAtKill).as("device events published before the kill").isLessThan(DEVICE_EVENTS);
        assertThat(consumer.failure()).isNull();
        assertThat(fold.failure()).isNull();
        // the fold may still be rebalancing after the restart; it must get back to running, not be there already
        await().atMost(RECOVER).until(() -> consumer.isReady() && fold.isReady());
    }

    /**
     * What tells a stuck partition from a stuck service: each one's failure, and per partition of the presence topic
     * the stored position, the end a read_committed consumer reaches, the log end, and the transactions still open on
     * it (one the broker never ends holds every read_committed reader of the partition).
     */
    private String diagnosis(TestDatabase db, ConsumerService consumer, FoldService fold, String topic, String group) {
        StringBuilder out = new StringBuilder();
        out.append("consumer ready ").append(consumer.isReady()).append(", failure ").append(consumer.failure())
                .append("; fold ready ").append(fold.isReady()).append(", failure ").append(fold.failure());
        try (Admin admin = fixture.admin()) {
            Map<Integer, Long> stored = StoredPositions.read(db, group, topic);
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                partitions.add(new TopicPartition(topic, p));
            }
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
            var committedEnds = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                    .get(10, TimeUnit.SECONDS);
            var logEnds = admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
            var producers = admin.describeProducers(partitions).all().get(10, TimeUnit.SECONDS);
            for (TopicPartition tp : partitions) {
                out.append("; partition ").append(tp.partition()).append(": stored ").append(stored.get(tp.partition()))
                        .append(", committed end ").append(committedEnds.get(tp).offset()).append(", log end ")
                        .append(logEnds.get(tp).offset()).append(", open transactions ")
                        .append(producers.get(tp).activeProducers().stream()
                                .filter(s -> s.currentTransactionStartOffset().isPresent()).toList());
            }
            out.append("; transactions ").append(admin.listTransactions().all().get(10, TimeUnit.SECONDS));
        } catch (Exception e) {
            out.append("; diagnosis incomplete: ").append(e);
        }
        return out.toString();
    }

    /** The fold's settings: a TTL no device reaches during the test, an application id and state of its own. */
    private Map<String, String> foldSettings(String presence, String devices) {
        Map<String, String> settings = fixture.settings(presence, "fold-" + presence);
        settings.put("device.topic", devices);
        settings.put("device.ttl", "10m");
        settings.put("fold.application.id", "fold-" + presence);
        settings.put("fold.state.dir", dir.resolve("fold-state").toString());
        // a stream thread fenced by the restart rejoins as a new member, and the group waits for the one it leaves
        // behind to time out: with the default 45 s that alone can use up CONVERGE; the broker's minimum is 6 s
        settings.put("kafka.session.timeout.ms", "6000");
        return settings;
    }

    /**
     * Device events {@code [from, to)}, one device per user, each a new status with a newer ts, so the fold emits
     * each as it is and the table must hold every user's last one; recorded in {@code model} as the fold will emit
     * it. The future completes once the broker acknowledged every one.
     */
    private Future<?> publishDevices(PresencePublisher publisher, PresenceModel model, int from, int to) {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        fixture.closeLater(pool::shutdownNow);
        return pool.submit(() -> {
            List<CompletableFuture<?>> sends = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = from; i < to; i++) {
                long ahead = start + HALF.toNanos() * (i - from) / (to - from) - System.nanoTime();
                if (ahead > 0) {
                    TimeUnit.NANOSECONDS.sleep(ahead);
                }
                String user = "device-user-" + i % DEVICE_USERS;
                String status = STATUSES.get(i / DEVICE_USERS % STATUSES.size());
                long ts = 1_000 + i;
                model.published(new PresenceEvent(user, status, ts, "d" + i));
                sends.add(publisher.publish(new PresenceEvent(PresenceEvent.Kind.STATUS, user, status, ts, "d" + i,
                        "laptop")));
            }
            return CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get();
        });
    }
}

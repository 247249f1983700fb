package io.agentpresence.consumer.fold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agentpresence.consumer.config.PresenceConsumerConfig;
import io.agentpresence.consumer.ops.FoldMetrics;
import io.agentpresence.consumer.support.ConsumerFixture;
import io.agentpresence.consumer.support.PresenceTable;
import io.agentpresence.consumer.support.PresenceTable.Row;
import io.agentpresence.embedded.junit.KafkaEndpoint;
import io.agentpresence.embedded.junit.PresenceInfrastructure;
import io.agentpresence.embedded.junit.TestDatabase;
import io.agentpresence.model.PresenceEvent;
import io.agentpresence.model.PresencePublisher;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.search.Search;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fold} on the real broker, exactly-once, with a short TTL: its state survives the loss of its local
 * directory through the changelog, and devices folded by it reach the real database through the consumer.
 */
@ExtendWith(PresenceInfrastructure.class)
class FoldIT {

    private static final Duration TTL = Duration.ofSeconds(3);
    private static final Duration SWEEP = Duration.ofMillis(500);
    /** The fold's transaction commit (100 ms) plus the consumer's poll and write, with room for a loaded machine. */
    private static final Duration PIPELINE = Duration.ofMillis(2_500);
    private static final Duration CONVERGE = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    private ConsumerFixture fixture;
    private TestDatabase db;

    @BeforeEach
    void setUp(KafkaEndpoint kafka, TestDatabase db) {
        this.fixture = new ConsumerFixture(kafka, db);
        this.db = db;
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    /** The settings {@code run} would have, plus the fold's: a short TTL, an application id of the test's own. */
    private Map<String, String> foldSettings(String devices, String presence) {
        Map<String, String> settings = fixture.settings(presence, "fold-it-" + presence);
        settings.put("device.topic", devices);
        settings.put("device.ttl", "3s");
        settings.put("fold.sweep.interval", "500ms");
        settings.put("fold.application.id", "fold-it-" + UUID.randomUUID().toString().substring(0, 8));
        settings.put("fold.state.dir", dir.resolve("fold-state").toString());
        return settings;
    }

    private FoldService startFold(Map<String, String> settings) throws Exception {
        FoldService fold = fixture.closeLater(FoldService.start(PresenceConsumerConfig.fromMap(settings,
                FoldSettings.KEYS)));
        await().atMost(CONVERGE).until(fold::isReady);
        return fold;
    }

    @Test
    void aDeviceKnownBeforeARestartWithoutLocalStateStillExpiresAndNothingIsEmittedTwice() throws Exception {
        String devices = fixture.topic("fold-devices", 2);
        String presence = fixture.topic("fold-presence", 2);
        Map<String, String> settings = foldSettings(devices, presence);
        PresencePublisher publisher = fixture.publisher(devices);
        CommittedRecords written = fixture.closeLater(new CommittedRecords(fixture.bootstrapServers(), presence));

        FoldService first = startFold(settings);
        long online = System.currentTimeMillis();
        publisher.publish(new PresenceEvent(PresenceEvent.Kind.STATUS, "u1", "online", online, "plugin", "laptop")).get();
        await().atMost(CONVERGE).until(() -> written.statuses().size() == 1);
        first.close();
        deleteTree(dir.resolve("fold-state"));
        assertThat(dir.resolve("fold-state")).doesNotExist();

        FoldService second = startFold(settings);
        assertThat(storedUser(second, "u1")).hasValueSatisfying(user ->
                assertThat(user.devices()).containsOnlyKeys("laptop"));
        // a heartbeat keeps only a device the fold knows alive: the restored laptop
        long heartbeat = System.currentTimeMillis();
        publisher.publish(PresenceEvent.heartbeat("u1", heartbeat, "plugin", "laptop")).get();
        await().atMost(CONVERGE).until(() -> written.statuses().size() == 2);

        assertThat(written.statuses()).containsExactly(new PresenceEvent("u1", "online", online, "plugin"),
                // one millisecond after the heartbeat that confirmed "online": the expiry never ties with it
                new PresenceEvent("u1", "offline", heartbeat + 1, DeviceFold.EXPIRED_SOURCE));
        assertThat(written.events()).filteredOn(PresenceEvent::isHeartbeat)
                .containsExactly(PresenceEvent.heartbeat("u1", "online", heartbeat, "plugin"));
        assertThat(count(second, FoldMetrics.DEVICES_EXPIRED)).isEqualTo(1);
    }

    @Test
    void twoDevicesKeepAUserOnlineUntilTheLastStopsThenTheRowTurnsOfflineWithinTheTtlAndASweep() throws Exception {
        String devices = fixture.topic("e2e-devices", 2);
        String presence = fixture.topic("e2e-presence", 2);
        Map<String, String> settings = foldSettings(devices, presence);
        PresenceTable table = new PresenceTable(db);
        PresencePublisher publisher = fixture.publisher(devices);
        fixture.start(fixture.settings(presence, "e2e-" + presence));
        FoldService fold = startFold(settings);

        long start = System.currentTimeMillis();
        publisher.publish(new PresenceEvent(PresenceEvent.Kind.STATUS, "agent-7", "online", start, "plugin", "laptop"));
        publisher.publish(new PresenceEvent(PresenceEvent.Kind.STATUS, "agent-7", "online", start + 1, "plugin", "phone"))
                .get();
        await().atMost(CONVERGE).until(() -> table.row("agent-7").isPresent());

        // the laptop falls silent; the phone heartbeats every second, past the laptop's TTL and a sweep
        long lastHeartbeat = 0;
        long lastSent = 0;
        for (int i = 0; i < 5; i++) {
            Thread.sleep(1_000);
            lastHeartbeat = System.currentTimeMillis();
            lastSent = System.nanoTime();
            publisher.publish(PresenceEvent.heartbeat("agent-7", lastHeartbeat, "plugin", "phone")).get();
            assertThat(table.row("agent-7")).map(Row::status).contains("online");
        }
        // the laptop's expiry is a sweep on the fold's clock: wait for it rather than assume it ran in time
        await().atMost(CONVERGE).until(() -> count(fold, FoldMetrics.DEVICES_EXPIRED) >= 1);
        assertThat(count(fold, FoldMetrics.DEVICES_EXPIRED)).isEqualTo(1);
        assertThat(table.row("agent-7")).map(Row::status).contains("online");

        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(50))
                .until(() -> table.row("agent-7").map(Row::status).orElse("").equals("offline"));
        Duration tookAfterLastHeartbeat = Duration.ofNanos(System.nanoTime() - lastSent);

        assertThat(tookAfterLastHeartbeat).isBetween(TTL, TTL.plus(SWEEP).plus(PIPELINE));
        // the last sighting, one millisecond on: the heartbeat confirmed "online" at that ts, and the expiry must win
        assertThat(table.row("agent-7")).contains(new Row("agent-7", "offline", lastHeartbeat + 1,
                DeviceFold.EXPIRED_SOURCE));
        assertThat(count(fold, FoldMetrics.DEVICES_EXPIRED)).isEqualTo(2);
        assertThat(lastSeen("agent-7")).isEqualTo(lastHeartbeat + 1);
    }

    @Test
    void aDeviceEventFromBeforeADeletionReadAfterItLeavesTheRowDeleted() throws Exception {
        // one partition each, so the marker below is folded and applied after the late event
        String devices = fixture.topic("deleted-devices", 1);
        String presence = fixture.topic("deleted-presence", 1);
        PresenceTable table = new PresenceTable(db);
        PresencePublisher publisher = fixture.publisher(devices);
        fixture.start(fixture.settings(presence, "deleted-" + presence));
        FoldService fold = startFold(foldSettings(devices, presence));

        long sent = System.currentTimeMillis() - 10_000;
        publisher.publish(new PresenceEvent(PresenceEvent.Kind.STATUS, "agent-9", "online", sent, "plugin", "laptop"))
                .get();
        await().atMost(CONVERGE).until(() -> table.row("agent-9").isPresent());
        publisher.delete("agent-9").get();
        await().atMost(CONVERGE).until(() -> table.row("agent-9").isEmpty());

        // sent before the deletion by another device, read after it
        publisher.publish(new PresenceEvent(PresenceEvent.Kind.STATUS, "agent-9", "online", sent + 5_000, "plugin",
                "phone")).get();
        publisher.publish(new PresenceEvent(PresenceEvent.Kind.STATUS, "marker", "online", System.currentTimeMillis(),
                "plugin", "laptop")).get();
        await().atMost(CONVERGE).until(() -> table.row("marker").isPresent());

        assertThat(table.row("agent-9")).isEmpty();
        assertThat(Search.in(fold.meterRegistry()).name(FoldMetrics.EVENTS_IGNORED).tag("reason", "deleted").counter()
                .count()).isEqualTo(1);
    }

    private static Optional<UserPresence> storedUser(FoldService fold, String userId) {
        ReadOnlyKeyValueStore<String, UserPresence> users = fold.streams().store(
                StoreQueryParameters.fromNameAndType(FoldTopology.USERS, QueryableStoreTypes.keyValueStore()));
        return Optional.ofNullable(users.get(userId));
    }

    private static double count(FoldService fold, String meter) {
        return Search.in(fold.meterRegistry()).name(meter).counters().stream().mapToDouble(Counter::count).sum();
    }

    /** {@code last_seen} in epoch milliseconds, whether the column holds a number or a date-time. */
    private long lastSeen(String userId) throws Exception {
        try (Connection c = db.connect();
             PreparedStatement ps = c.prepareStatement("SELECT last_seen FROM agent_presences WHERE user_id = ?")) {
            ps.setString(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("a row for " + userId).isTrue();
                Object value = rs.getObject(1);
                if (value instanceof LocalDateTime dateTime) {
                    return Timestamp.valueOf(dateTime).getTime();
                }
                return value instanceof Timestamp t ? t.getTime() : ((Number) value).longValue();
            }
        }
    }

    private static void deleteTree(Path root) throws Exception {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}

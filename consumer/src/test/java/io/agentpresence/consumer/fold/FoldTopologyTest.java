package io.agentpresence.consumer.fold;

import static io.agentpresence.consumer.fold.FoldDriver.statuses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.agentpresence.consumer.fold.FoldDriver.Emitted;
import io.agentpresence.consumer.ops.FoldMetrics;
import io.agentpresence.model.PresenceEvent;
import io.agentpresence.model.PresenceEventCodec;
import io.agentpresence.model.PresenceTopics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fold topology in Kafka Streams' test driver: wall-clock time is moved by hand. */
class FoldTopologyTest {

    private static final Instant START = Instant.parse("2025-06-01T09:00:00Z");
    private static final long T0 = START.toEpochMilli();

    @TempDir
    Path stateDir;
    private FoldDriver fold;

    @BeforeEach
    void setUp() {
        fold = new FoldDriver(stateDir, START);
    }

    @AfterEach
    void tearDown() {
        fold.close();
    }

    private static List<String> statusNames(List<Emitted> emitted) {
        return statuses(emitted).stream().map(PresenceEvent::status).toList();
    }

    @Test
    void theUserShowsTheBestStatusOfTheirLiveDevices() throws Exception {
        fold.status("u1", "laptop", "away", T0);
        fold.status("u1", "phone", "busy", T0 + 1);
        fold.status("u1", "tablet", "online", T0 + 2);
        fold.status("u1", "tablet", "offline", T0 + 3);
        fold.status("u1", "phone", "offline", T0 + 4);
        fold.status("u1", "laptop", "offline", T0 + 5);

        List<Emitted> emitted = fold.emitted();
        assertThat(statusNames(emitted)).containsExactly("away", "busy", "online", "busy", "away", "offline");
        assertThat(statuses(emitted)).extracting(PresenceEvent::ts).containsExactly(T0, T0 + 1, T0 + 2, T0 + 3, T0 + 4,
                T0 + 5);
        assertThat(statuses(emitted)).allSatisfy(e -> {
            assertThat(e.userId()).isEqualTo("u1");
            assertThat(e.source()).isEqualTo("plugin");
            assertThat(e.device()).isNull();
        });
        assertThat(emitted).allSatisfy(e -> assertThat(e.timestamp()).isEqualTo(e.event().ts()));
    }

    @Test
    void aConfiguredPrecedenceRanksFirstAndUnlistedStatusesRankBelowTheListed() throws Exception {
        fold.close();
        fold = new FoldDriver(stateDir, START, Map.of("statuses", "online,away,busy,offline,dnd",
                "fold.precedence", "busy,online"));

        fold.status("u1", "a", "dnd", T0);
        fold.status("u1", "b", "away", T0 + 1);
        fold.status("u1", "c", "online", T0 + 2);
        fold.status("u1", "d", "busy", T0 + 3);

        assertThat(statusNames(fold.emitted())).containsExactly("dnd", "away", "online", "busy");
    }

    @Test
    void aStatusIsEmittedOnlyWhenTheFoldedStatusChanges() throws Exception {
        fold.status("u1", "laptop", "online", T0);
        fold.status("u1", "phone", "online", T0 + 10);
        fold.status("u1", "phone", "away", T0 + 20);
        fold.status("u1", "laptop", "online", T0 + 30);

        List<Emitted> emitted = fold.emitted();
        assertThat(statusNames(emitted)).containsExactly("online");
        // each event raised the user's last seen time without a change: forwarded as heartbeats
        assertThat(emitted.subList(1, emitted.size())).extracting(e -> e.event().kind(), e -> e.event().ts())
                .containsExactly(tuple(PresenceEvent.Kind.HEARTBEAT, T0 + 10), tuple(PresenceEvent.Kind.HEARTBEAT, T0 + 20),
                        tuple(PresenceEvent.Kind.HEARTBEAT, T0 + 30));
        assertThat(fold.count(FoldMetrics.EVENTS_EMITTED, "reason", "status")).isEqualTo(1);
        assertThat(fold.count(FoldMetrics.EVENTS_EMITTED, "reason", "heartbeat")).isEqualTo(3);
    }

    @Test
    void anEventWithoutADeviceIsTheUsersDefaultDevice() throws Exception {
        fold.send(new PresenceEvent("u1", "online", T0, "v1-plugin"));
        fold.status("u1", "default", "away", T0 + 1);
        fold.send(new PresenceEvent("u1", "offline", T0 + 2, null));

        List<Emitted> emitted = fold.emitted();
        assertThat(statusNames(emitted)).containsExactly("online", "away", "offline");
        assertThat(statuses(emitted).get(2).source()).isEqualTo(DeviceFold.SOURCE);
    }

    @Test
    void aSilentDeviceExpiresAfterTheTtlAndTheUserGoesOfflineJustAfterTheirLastSighting() throws Exception {
        fold.status("u1", "laptop", "online", T0);
        fold.advance(Duration.ofSeconds(10));
        fold.heartbeat("u1", "laptop", T0 + 10_000);
        assertThat(fold.emitted()).hasSize(2);

        // the heartbeat was read at START + 10 s: the device lives until START + 100 s
        fold.advance(Duration.ofSeconds(85));
        assertThat(fold.emitted()).isEmpty();
        fold.advance(Duration.ofSeconds(5));

        List<Emitted> emitted = fold.emitted();
        // strictly newer than the heartbeat that confirmed "online" at T0 + 10 s: the expiry never ties with it
        assertThat(emitted).extracting(Emitted::event).containsExactly(
                new PresenceEvent("u1", "offline", T0 + 10_001, DeviceFold.EXPIRED_SOURCE));
        assertThat(fold.count(FoldMetrics.DEVICES_EXPIRED, null, null)).isEqualTo(1);
        assertThat(fold.count(FoldMetrics.EVENTS_EMITTED, "reason", "expiry")).isEqualTo(1);
        fold.advance(Duration.ofMinutes(10));
        assertThat(fold.emitted()).isEmpty();
    }

    @Test
    void everyStatusTheFoldEmitsIsStrictlyNewerThanTheOneBefore() throws Exception {
        fold.status("u1", "laptop", "away", T0);
        // another device changes the folded status at the same ts: stamped one millisecond later
        fold.status("u1", "phone", "online", T0);
        // nothing else is heard: the expiry of both ends "online" one millisecond after it
        fold.advance(Duration.ofMinutes(2));

        assertThat(fold.emitted()).extracting(Emitted::event).extracting(PresenceEvent::status, PresenceEvent::ts)
                .containsExactly(tuple("away", T0), tuple("online", T0 + 1), tuple("offline", T0 + 2));
    }

    @Test
    void everySweepIsCountedAlsoWithNothingDueSoAFoldThatStopsSweepingShows() throws Exception {
        assertThat(fold.count(FoldMetrics.SWEEPS, null, null)).isZero();
        // within the first TTL nothing can be due, and no device is known at all: the sweeps still count
        for (int i = 1; i <= 3; i++) {
            fold.advance(FoldDriver.SWEEP);
            assertThat(fold.count(FoldMetrics.SWEEPS, null, null)).isEqualTo(i);
        }
        fold.status("u1", "laptop", "online", T0);
        fold.advance(FoldDriver.TTL.plus(FoldDriver.SWEEP));
        assertThat(fold.count(FoldMetrics.DEVICES_EXPIRED, null, null)).isEqualTo(1);
        assertThat(fold.count(FoldMetrics.SWEEPS, null, null)).isEqualTo(4);
    }

    @Test
    void livenessFollowsTheFoldsClockNotThePublishersSoASkewedClockExpiresNothingEarly() throws Exception {
        long anHourBehind = T0 - 3_600_000;
        fold.status("u1", "laptop", "online", anHourBehind);
        fold.emitted();

        fold.advance(Duration.ofSeconds(85));
        assertThat(fold.emitted()).isEmpty();
        fold.advance(Duration.ofSeconds(5));
        assertThat(statuses(fold.emitted())).containsExactly(
                new PresenceEvent("u1", "offline", anHourBehind + 1, DeviceFold.EXPIRED_SOURCE));
    }

    @Test
    void whenOneOfTwoDevicesExpiresTheUserStaysOnlineUntilTheOtherDoes() throws Exception {
        fold.status("u1", "laptop", "online", T0);
        fold.status("u1", "phone", "online", T0 + 1);
        for (int s = 30; s <= 120; s += 30) {
            fold.advance(Duration.ofSeconds(30));
            fold.heartbeat("u1", "phone", T0 + s * 1_000L);
        }
        assertThat(fold.count(FoldMetrics.DEVICES_EXPIRED, null, null)).isEqualTo(1);
        assertThat(statusNames(fold.emitted())).containsExactly("online");

        fold.advance(Duration.ofSeconds(90));
        assertThat(statuses(fold.emitted())).containsExactly(
                new PresenceEvent("u1", "offline", T0 + 120_001, DeviceFold.EXPIRED_SOURCE));
        assertThat(fold.count(FoldMetrics.DEVICES_EXPIRED, null, null)).isEqualTo(2);
    }

    @Test
    void whenTheBetterDeviceExpiresTheUserFallsBackToTheOthersStatus() throws Exception {
        fold.status("u1", "laptop", "online", T0);
        fold.advance(Duration.ofSeconds(60));
        fold.status("u1", "phone", "away", T0 + 60_000);
        fold.advance(Duration.ofSeconds(30));

        assertThat(statuses(fold.emitted())).containsExactly(new PresenceEvent("u1", "online", T0, "plugin"),
                new PresenceEvent("u1", "away", T0 + 60_001, DeviceFold.EXPIRED_SOURCE));
    }

    @Test
    void aLateEventOfADeviceIsIgnoredAndCounted() throws Exception {
        fold.status("u1", "laptop", "online", T0 + 2_000);
        fold.status("u1", "laptop", "away", T0 + 1_000);
        fold.status("u1", "phone", "offline", T0 + 3_000);
        // the device said offline at T0 + 3 s: an older online must not bring it back
        fold.status("u1", "phone", "busy", T0 + 2_500);

        List<Emitted> emitted = fold.emitted();
        assertThat(statusNames(emitted)).containsExactly("online");
        assertThat(fold.count(FoldMetrics.EVENTS_IGNORED, "reason", "stale")).isEqualTo(2);
    }

    @Test
    void aDuplicateEventChangesNothingButKeepsTheDeviceAlive() throws Exception {
        fold.status("u1", "laptop", "online", T0);
        fold.advance(Duration.ofSeconds(60));
        fold.status("u1", "laptop", "online", T0);

        assertThat(fold.emitted()).hasSize(1);
        assertThat(fold.count(FoldMetrics.EVENTS_IGNORED, "reason", "duplicate")).isEqualTo(1);
        fold.advance(Duration.ofSeconds(60));
        assertThat(fold.emitted()).isEmpty();
        fold.advance(Duration.ofSeconds(30));
        assertThat(statusNames(fold.emitted())).containsExactly("offline");
    }

    @Test
    void anEqualTsWithAnotherStatusIsTheLaterRecordAndWins() throws Exception {
        fold.status("u1", "laptop", "online", T0);
        fold.status("u1", "laptop", "away", T0);

        assertThat(statusNames(fold.emitted())).containsExactly("online", "away");
    }

    @Test
    void emittedTimesNeverGoBackForAUserWhateverTheDevicesClocks() throws Exception {
        fold.status("u1", "laptop", "busy", T0 + 5_000);
        fold.status("u1", "phone", "online", T0);

        List<PresenceEvent> statuses = statuses(fold.emitted());
        assertThat(statuses).extracting(PresenceEvent::status).containsExactly("busy", "online");
        // online came from a clock 5 s behind; emitted at T0 it would lose to busy in the consumer's guard
        assertThat(statuses).extracting(PresenceEvent::ts).containsExactly(T0 + 5_000, T0 + 5_001);
    }

    @Test
    void heartbeatsKeepKnownDevicesAliveAndAreForwardedOnlyWhenTheyRaiseTheLastSeenTime() throws Exception {
        fold.status("u1", "laptop", "online", T0);
        fold.heartbeat("u1", "laptop", T0 + 2_000);
        fold.heartbeat("u1", "laptop", T0 + 1_000);
        fold.heartbeat("u1", "laptop", T0 + 2_000);
        fold.advance(Duration.ofSeconds(60));
        // a heartbeat of a device the fold does not know raises the last seen time but makes no device live
        fold.heartbeat("u1", "watch", T0 + 60_000);

        // forwarded heartbeats confirm the status last emitted, so compaction of the presence topic loses nothing
        assertThat(fold.emitted()).extracting(e -> e.event().kind(), e -> e.event().status(), e -> e.event().ts())
                .containsExactly(tuple(PresenceEvent.Kind.STATUS, "online", T0),
                        tuple(PresenceEvent.Kind.HEARTBEAT, "online", T0 + 2_000),
                        tuple(PresenceEvent.Kind.HEARTBEAT, "online", T0 + 60_000));
        fold.advance(Duration.ofSeconds(30));
        assertThat(statuses(fold.emitted())).containsExactly(
                new PresenceEvent("u1", "offline", T0 + 60_001, DeviceFold.EXPIRED_SOURCE));
    }

    @Test
    void aHeartbeatOfAnUnknownUserForwardsTheHeartbeatButNoStatus() throws Exception {
        fold.heartbeat("u9", "phone", T0);

        assertThat(fold.emitted()).extracting(Emitted::event).containsExactly(
                PresenceEvent.heartbeat("u9", T0, "plugin", null));
        fold.advance(Duration.ofMinutes(5));
        assertThat(fold.emitted()).isEmpty();
    }

    @Test
    void withForwardingOffHeartbeatsStillKeepDevicesAliveButAreNotWritten() throws Exception {
        fold.close();
        fold = new FoldDriver(stateDir, START, Map.of("fold.forward.heartbeats", "false"));

        fold.status("u1", "laptop", "online", T0);
        fold.status("u1", "phone", "online", T0 + 1);
        fold.advance(Duration.ofSeconds(60));
        fold.heartbeat("u1", "phone", T0 + 60_000);
        fold.advance(Duration.ofSeconds(30));
        assertThat(statusNames(fold.emitted())).containsExactly("online");
        fold.advance(Duration.ofSeconds(60));

        assertThat(fold.emitted()).extracting(Emitted::event).containsExactly(
                new PresenceEvent("u1", "offline", T0 + 60_000, DeviceFold.EXPIRED_SOURCE));
    }

    @Test
    void aTombstoneForgetsTheUsersDevicesAndPassesOn() throws Exception {
        fold.status("u1", "laptop", "online", T0);
        fold.status("u2", "laptop", "online", T0);
        fold.tombstone("u1", T0 + 1_000);

        assertThat(fold.emitted()).extracting(Emitted::userId, e -> e.event() == null, Emitted::timestamp)
                .containsExactly(tuple("u1", false, T0), tuple("u2", false, T0), tuple("u1", true, T0 + 1_000));
        fold.advance(Duration.ofSeconds(95));
        assertThat(fold.emitted()).extracting(Emitted::userId).containsExactly("u2");

        fold.status("u1", "phone", "away", T0 + 2_000);
        assertThat(statuses(fold.emitted())).containsExactly(new PresenceEvent("u1", "away", T0 + 2_000, "plugin"));
    }

    @Test
    void aTombstoneKeepsTheUsersTimeFloorSoTheNextStatusIsNotOlderThanWhatTheTableMayHold() throws Exception {
        // a laptop whose clock is two minutes fast; the consumer keeps that row through the older tombstone
        fold.status("u1", "laptop", "online", T0 + 120_000);
        fold.tombstone("u1", T0 + 10_000);
        fold.status("u1", "phone", "away", T0 + 20_000);

        assertThat(statuses(fold.emitted())).containsExactly(new PresenceEvent("u1", "online", T0 + 120_000, "plugin"),
                new PresenceEvent("u1", "away", T0 + 120_001, "plugin"));
    }

    @Test
    void aDeviceEventNoNewerThanTheUsersDeletionIsIgnoredSoItCannotBringTheUserBack() throws Exception {
        fold.status("u1", "laptop", "online", T0);
        fold.tombstone("u1", T0 + 10_000);
        fold.emitted();

        // sent before the deletion, read after it (another partition, a retrying publisher)
        fold.status("u1", "phone", "online", T0 + 5_000);
        fold.status("u1", "tablet", "away", T0 + 10_000);
        fold.heartbeat("u1", "phone", T0 + 9_000);

        assertThat(fold.emitted()).isEmpty();
        assertThat(fold.count(FoldMetrics.EVENTS_IGNORED, "reason", "deleted")).isEqualTo(3);
        fold.status("u1", "phone", "away", T0 + 10_001);
        assertThat(statuses(fold.emitted())).containsExactly(new PresenceEvent("u1", "away", T0 + 10_001, "plugin"));
    }

    @Test
    void aTombstoneStampedFurtherAheadThanTheSkewGoesToTheDeadLetterTopicAndLeavesTheTimeFloorAlone() throws Exception {
        fold.status("u1", "laptop", "online", T0);
        fold.tombstone("u1", T0 + Duration.ofMinutes(30).toMillis());
        fold.status("u1", "laptop", "away", T0 + 1_000);

        assertThat(fold.emitted()).extracting(Emitted::event).containsExactly(
                new PresenceEvent("u1", "online", T0, "plugin"), new PresenceEvent("u1", "away", T0 + 1_000, "plugin"));
        assertThat(fold.deadLetters()).extracting(r -> header(r, PresenceTopics.HEADER_REASON))
                .containsExactly("ts-in-future");
    }

    @Test
    void aTombstoneStampedBeyondTheLastEncodableTimeIsRefusedInsteadOfStoppingTheFold() throws Exception {
        fold.status("u1", "laptop", "online", T0);
        fold.tombstone("u1", PresenceEventCodec.MAX_TS + 1);
        fold.status("u1", "laptop", "away", T0 + 1_000);

        assertThat(statuses(fold.emitted())).containsExactly(new PresenceEvent("u1", "online", T0, "plugin"),
                new PresenceEvent("u1", "away", T0 + 1_000, "plugin"));
        assertThat(fold.deadLetters()).extracting(r -> header(r, PresenceTopics.HEADER_REASON))
                .containsExactly("invalid-ts");
    }

    @Test
    void aUserWithoutDevicesIsForgottenAfterTheRetentionSinceTheUsersLastRecord() throws Exception {
        fold.close();
        fold = new FoldDriver(stateDir, START, Map.of("fold.user.retention", "10m"));
        fold.status("u1", "laptop", "online", T0);
        fold.status("u1", "laptop", "offline", T0 + 1);
        fold.tombstone("u2", T0);
        fold.status("u3", "laptop", "online", T0);
        for (int minute = 1; minute <= 11; minute++) {
            fold.advance(Duration.ofMinutes(1));
            fold.heartbeat("u3", "laptop", T0 + minute * 60_000L);
        }

        // u1's laptop said offline and u2 was deleted: nothing live, nothing pending, no record for 10 minutes
        assertThat(storedUsers()).containsExactly("u3");
        assertThat(fold.count(FoldMetrics.USERS_FORGOTTEN, null, null)).isEqualTo(2);
        fold.emitted();

        // u3's laptop expires 90 s after its last heartbeat; u3 goes 10 minutes after that heartbeat
        fold.advance(Duration.ofMinutes(10));
        assertThat(statuses(fold.emitted())).containsExactly(
                new PresenceEvent("u3", "offline", T0 + 660_001, DeviceFold.EXPIRED_SOURCE));
        assertThat(storedUsers()).containsExactly("u3");
        fold.advance(Duration.ofSeconds(5));
        assertThat(storedUsers()).isEmpty();
        assertThat(indexEntries()).isEmpty();
        assertThat(fold.count(FoldMetrics.USERS_FORGOTTEN, null, null)).isEqualTo(3);
        assertThat(fold.emitted()).isEmpty();

        // a forgotten user starts afresh
        fold.status("u1", "phone", "busy", T0 + 5);
        assertThat(statuses(fold.emitted())).containsExactly(new PresenceEvent("u1", "busy", T0 + 5, "plugin"));
    }

    private List<String> storedUsers() {
        KeyValueStore<String, UserPresence> store = fold.store(FoldTopology.USERS);
        List<String> users = new ArrayList<>();
        try (KeyValueIterator<String, UserPresence> it = store.all()) {
            it.forEachRemaining(kv -> users.add(kv.key));
        }
        return users;
    }

    @Test
    void aUserKeepsAtMostTheConfiguredDevicesAndANewOneEvictsTheOneHeardFromLeastRecently() throws Exception {
        fold.close();
        fold = new FoldDriver(stateDir, START, Map.of("fold.max.devices", "2"));
        fold.status("u1", "laptop", "online", T0);
        fold.advance(Duration.ofSeconds(1));
        fold.status("u1", "phone", "away", T0 + 1_000);
        fold.advance(Duration.ofSeconds(1));
        fold.status("u1", "tablet", "away", T0 + 2_000);

        // the laptop, heard from first, made room: the user is away now
        assertThat(statusNames(fold.emitted())).containsExactly("online", "away");
        assertThat(fold.<String, UserPresence>store(FoldTopology.USERS).get("u1").devices())
                .containsOnlyKeys("phone", "tablet");
        assertThat(fold.count(FoldMetrics.DEVICES_EVICTED, null, null)).isEqualTo(1);

        // a client inventing a device id per connection
        for (int i = 0; i < 200; i++) {
            fold.status("u1", "connection-" + i, "away", T0 + 3_000 + i);
        }
        assertThat(fold.<String, UserPresence>store(FoldTopology.USERS).get("u1").devices()).hasSize(2);
        assertThat(fold.count(FoldMetrics.DEVICES_EVICTED, null, null)).isEqualTo(201);
    }

    @Test
    void aForwardedHeartbeatRaisesTheTimeOfTheNextStatus() throws Exception {
        fold.status("u1", "laptop", "busy", T0);
        fold.heartbeat("u1", "laptop", T0 + 30_000);
        // a phone whose clock is 20 s slow
        fold.status("u1", "phone", "online", T0 + 15_000);

        // the heartbeat (busy at T0 + 30 s) can create the row after compaction: online must not lose to it
        assertThat(fold.emitted()).extracting(e -> e.event().kind(), e -> e.event().status(), e -> e.event().ts())
                .containsExactly(tuple(PresenceEvent.Kind.STATUS, "busy", T0),
                        tuple(PresenceEvent.Kind.HEARTBEAT, "busy", T0 + 30_000),
                        tuple(PresenceEvent.Kind.STATUS, "online", T0 + 30_001));
    }

    @Test
    void aHeartbeatConfirmingAStatusBringsAnExpiredDeviceBack() throws Exception {
        fold.status("u1", "laptop", "online", T0);
        fold.advance(Duration.ofSeconds(95));
        assertThat(statuses(fold.emitted())).extracting(PresenceEvent::status).containsExactly("online", "offline");

        fold.send(new PresenceEvent(PresenceEvent.Kind.HEARTBEAT, "u1", "online", T0 + 100_000, "plugin", "laptop"));

        assertThat(statuses(fold.emitted())).containsExactly(new PresenceEvent("u1", "online", T0 + 100_000, "plugin"));
    }

    @Test
    void anEventFarAheadOfTheFoldsClockGoesToTheDeadLetterTopic() throws Exception {
        // its record timestamp comes from the same fast clock, so only the fold's own clock can tell
        fold.status("u1", "laptop", "online", T0 + Duration.ofMinutes(10).toMillis());

        assertThat(fold.emitted()).isEmpty();
        assertThat(fold.deadLetters()).extracting(r -> header(r, PresenceTopics.HEADER_REASON))
                .containsExactly("ts-in-future");
    }

    @Test
    void invalidRecordsGoToTheDeadLetterTopicAndTheRecordsAroundThemFold() throws Exception {
        fold.status("u1", "laptop", "online", T0);
        fold.raw("u2", "not json", T0);
        fold.raw("u3", "{\"userId\":\"u3\",\"status\":\"dancing\",\"ts\":1,\"device\":\"x\"}", T0);
        fold.raw("u4", "{\"userId\":\"someone-else\",\"status\":\"online\",\"ts\":1}", T0);
        fold.raw(null, "{\"userId\":\"u5\",\"status\":\"online\",\"ts\":1}", T0);
        fold.status("u6", "phone", "busy", T0);

        assertThat(fold.emitted()).extracting(Emitted::userId).containsExactly("u1", "u6");
        List<TestRecord<byte[], byte[]>> letters = fold.deadLetters();
        assertThat(letters).extracting(r -> header(r, PresenceTopics.HEADER_REASON))
                .containsExactly("malformed-json", "unknown-status", "key-mismatch", "missing-key");
        TestRecord<byte[], byte[]> first = letters.get(0);
        assertThat(new String(first.value(), StandardCharsets.UTF_8)).isEqualTo("not json");
        assertThat(first.timestamp()).isEqualTo(T0);
        assertThat(header(first, PresenceTopics.HEADER_ORIGINAL_TOPIC)).isEqualTo(FoldDriver.DEVICES);
        assertThat(header(first, PresenceTopics.HEADER_ORIGINAL_OFFSET)).isEqualTo("1");
        assertThat(header(first, PresenceTopics.HEADER_CONSUMER_GROUP)).isEqualTo(FoldDriver.APPLICATION_ID);
        assertThat(fold.count(FoldMetrics.EVENTS_REJECTED, null, null)).isEqualTo(4);
        assertThat(fold.count(FoldMetrics.EVENTS_REJECTED, "reason", "unknown-status")).isEqualTo(1);
    }

    private static String header(TestRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    @Test
    void theExpiryIndexHoldsOneEntryPerUserAtTheEarliestDeadlineOfTheirDevicesOrElseAtTheEndOfTheirRetention()
            throws Exception {
        fold.status("u1", "laptop", "online", T0);
        fold.advance(Duration.ofSeconds(10));
        fold.status("u1", "phone", "online", T0 + 10_000);
        fold.status("u2", "laptop", "online", T0 + 10_000);
        fold.heartbeat("u1", "laptop", T0 + 10_001);
        fold.status("u3", "laptop", "online", T0 + 10_000);
        fold.status("u3", "laptop", "offline", T0 + 10_001);
        fold.advance(Duration.ofSeconds(90));

        // u3's device said offline and was forgotten a TTL later; u1's and u2's devices were last heard of at 10 s:
        // without devices, each user is filed for the end of the retention (24 h) after its last record
        long retention = Duration.ofHours(24).toMillis();
        assertThat(indexEntries()).containsExactly(new ExpiryIndex.Entry(T0 + 10_000 + retention, "u1"),
                new ExpiryIndex.Entry(T0 + 10_000 + retention, "u2"), new ExpiryIndex.Entry(T0 + 10_000 + retention, "u3"));
        fold.advance(Duration.ofSeconds(1));
        fold.status("u1", "laptop", "online", T0 + 200_000);
        assertThat(indexEntries()).containsExactly(new ExpiryIndex.Entry(T0 + 101_000 + 90_000, "u1"),
                new ExpiryIndex.Entry(T0 + 10_000 + retention, "u2"), new ExpiryIndex.Entry(T0 + 10_000 + retention, "u3"));
    }

    private List<ExpiryIndex.Entry> indexEntries() {
        KeyValueStore<Bytes, byte[]> store = fold.store(FoldTopology.EXPIRY);
        List<ExpiryIndex.Entry> entries = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> next = it.next();
                ByteBuffer key = ByteBuffer.wrap(next.key.get());
                entries.add(new ExpiryIndex.Entry(key.getLong(), StandardCharsets.UTF_8.decode(key).toString()));
            }
        }
        return entries;
    }

    @Test
    void afterARestartFromTheChangelogDevicesSurviveAndGetAFullTtlFromTheRestart() throws Exception {
        fold.status("u1", "laptop", "online", T0);
        fold.status("u1", "phone", "busy", T0 + 1);
        fold.status("u2", "laptop", "away", T0 + 2);
        fold.status("u2", "laptop", "offline", T0 + 3);
        fold.status("u3", "tablet", "online", T0 + 4);
        fold.emitted();
        List<TestRecord<byte[], byte[]>> users = fold.changelog(FoldTopology.USERS);
        List<TestRecord<byte[], byte[]>> expiry = fold.changelog(FoldTopology.EXPIRY);
        // the test driver wipes its state directory on close; restoring replays the changelog, as Streams does
        fold.close();
        fold = new FoldDriver(stateDir, START.plus(Duration.ofHours(1)));
        restore(users, expiry);

        // known devices: the same event again is a duplicate, not a new online
        fold.status("u1", "laptop", "online", T0);
        assertThat(fold.emitted()).isEmpty();
        assertThat(fold.count(FoldMetrics.EVENTS_IGNORED, "reason", "duplicate")).isEqualTo(1);

        // u3's tablet was last heard of an hour ago, before the fold was down: it still gets a TTL from the restart
        fold.advance(Duration.ofSeconds(85));
        assertThat(fold.emitted()).isEmpty();
        fold.advance(Duration.ofSeconds(5));
        // one sweep expires both; the order between users is the index's
        assertThat(statuses(fold.emitted())).containsExactlyInAnyOrder(
                new PresenceEvent("u1", "offline", T0 + 2, DeviceFold.EXPIRED_SOURCE),
                new PresenceEvent("u3", "offline", T0 + 5, DeviceFold.EXPIRED_SOURCE));
    }

    private void restore(List<TestRecord<byte[], byte[]>> users, List<TestRecord<byte[], byte[]>> expiry) {
        KeyValueStore<String, UserPresence> userStore = fold.store(FoldTopology.USERS);
        for (TestRecord<byte[], byte[]> r : users) {
            userStore.put(new String(r.key(), StandardCharsets.UTF_8),
                    r.value() == null ? null : UserPresenceSerde.read(r.value()));
        }
        KeyValueStore<Bytes, byte[]> expiryStore = fold.store(FoldTopology.EXPIRY);
        for (TestRecord<byte[], byte[]> r : expiry) {
            expiryStore.put(Bytes.wrap(r.key()), r.value());
        }
        assertThat(users).isNotEmpty();
        assertThat(expiry).isNotEmpty();
    }
}

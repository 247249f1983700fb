package io.agentpresence.consumer.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.agentpresence.consumer.sink.PresenceChange.Kind;

import org.junit.jupiter.api.Test;

class PresenceBufferTest {

    private long seq;

    private PresenceChange set(String user, String status, long ts) {
        return new PresenceChange(user, status, ts, "test", seq++);
    }

    @Test
    void keepsTheEventWithTheGreatestTsEvenWhenAnOlderOneArrivesLater() {
        PresenceBuffer buffer = new PresenceBuffer();
        buffer.add(set("u1", "busy", 300));
        // same user from a second partition, older event time, later in the poll
        buffer.add(set("u1", "online", 100));

        assertThat(buffer.changes()).extracting(PresenceChange::status).containsExactly("busy");
        assertThat(buffer.superseded()).isEqualTo(1);
    }

    @Test
    void onEqualTsTheLaterRecordWins() {
        PresenceBuffer buffer = new PresenceBuffer();
        buffer.add(set("u1", "online", 100));
        buffer.add(set("u1", "away", 100));

        assertThat(buffer.changes()).extracting(PresenceChange::status).containsExactly("away");
    }

    @Test
    void aNewerTombstoneReplacesAnOlderEventAndAnOlderOneDoesNot() {
        PresenceBuffer buffer = new PresenceBuffer();
        buffer.add(set("u1", "online", 100));
        buffer.add(PresenceChange.delete("u1", 200, seq++));
        buffer.add(set("u2", "online", 500));
        buffer.add(PresenceChange.delete("u2", 400, seq++));

        assertThat(buffer.changes()).extracting(PresenceChange::userId, PresenceChange::isDelete)
                .containsExactly(tuple("u1", true), tuple("u2", false));
    }

    private PresenceChange heartbeat(String user, long ts) {
        return PresenceChange.heartbeat(user, ts, seq++);
    }

    @Test
    void aNewerHeartbeatKeepsTheStatusChangeAndRaisesWhatWasSeen() {
        PresenceBuffer buffer = new PresenceBuffer();
        PresenceChange online = set("u1", "online", 100);
        buffer.add(online);
        buffer.add(heartbeat("u1", 200));

        assertThat(buffer.changes()).containsExactly(online.withSeen(200));
        assertThat(buffer.changes().get(0).seenAfterChange()).isTrue();
        assertThat(buffer.superseded()).as("both records have an effect").isZero();
    }

    @Test
    void aStatusEventAsNewAsAHeartbeatMakesTheHeartbeatUseless() {
        PresenceBuffer buffer = new PresenceBuffer();
        buffer.add(heartbeat("u1", 100));
        buffer.add(heartbeat("u2", 100));
        buffer.add(set("u1", "away", 100));
        buffer.add(set("u2", "away", 150));

        assertThat(buffer.changes()).extracting(PresenceChange::kind, PresenceChange::ts, PresenceChange::seen)
                .containsExactly(tuple(Kind.STATUS, 100L, 100L), tuple(Kind.STATUS, 150L, 150L));
        assertThat(buffer.changes()).noneMatch(PresenceChange::seenAfterChange);
        assertThat(buffer.superseded()).isEqualTo(2);
    }

    @Test
    void aUserWithOnlyHeartbeatsGetsTheNewestOfThem() {
        PresenceBuffer buffer = new PresenceBuffer();
        buffer.add(heartbeat("u1", 300));
        PresenceChange newest = buffer.changes().get(0);
        buffer.add(heartbeat("u1", 100));
        buffer.add(heartbeat("u1", 300));
        buffer.add(heartbeat("u1", 200));

        assertThat(buffer.changes()).containsExactly(newest);
        assertThat(newest.isHeartbeat()).isTrue();
        assertThat(buffer.superseded()).isEqualTo(3);
    }

    @Test
    void theStatusChangeFollowsTheGuardRuleWhileSeenIsTheNewestOfEverything() {
        PresenceBuffer buffer = new PresenceBuffer();
        buffer.add(heartbeat("u1", 250));
        buffer.add(set("u1", "busy", 300));
        // from a second partition: older, arriving later
        buffer.add(set("u1", "online", 100));
        buffer.add(heartbeat("u1", 400));
        buffer.add(heartbeat("u1", 350));

        assertThat(buffer.changes()).extracting(PresenceChange::status, PresenceChange::ts, PresenceChange::seen)
                .containsExactly(tuple("busy", 300L, 400L));
        // heartbeat 250 (covered by busy 300), online 100 (older than busy), heartbeat 350 (older than 400)
        assertThat(buffer.superseded()).isEqualTo(3);
    }

    @Test
    void aTombstoneIsNotSeenSoItRaisesNothingOnTheRowItDeletes() {
        PresenceBuffer buffer = new PresenceBuffer();
        buffer.add(PresenceChange.delete("u1", 200, seq++));
        buffer.add(set("u2", "online", 100));
        buffer.add(PresenceChange.delete("u2", 200, seq++));

        assertThat(buffer.changes()).extracting(PresenceChange::kind, PresenceChange::seen)
                .containsExactly(tuple(Kind.DELETE, PresenceChange.UNSEEN), tuple(Kind.DELETE, 100L));
        assertThat(buffer.changes()).noneMatch(PresenceChange::seenAfterChange);
    }

    @Test
    void aHeartbeatNewerThanATombstoneIsKeptForARowTheTombstoneDoesNotDelete() {
        PresenceBuffer buffer = new PresenceBuffer();
        buffer.add(PresenceChange.delete("u1", 200, seq++));
        buffer.add(heartbeat("u1", 300));

        assertThat(buffer.changes()).extracting(PresenceChange::kind, PresenceChange::ts, PresenceChange::seen)
                .containsExactly(tuple(Kind.DELETE, 200L, 300L));
        assertThat(buffer.changes().get(0).seenAfterChange()).isTrue();
        assertThat(buffer.superseded()).isZero();
    }

    @Test
    void removingTheReducedChangeTakesTheUserOutOfTheBatch() {
        PresenceBuffer buffer = new PresenceBuffer();
        buffer.add(set("u1", "online", 100));
        buffer.add(heartbeat("u1", 200));
        buffer.add(set("u2", "online", 100));
        buffer.remove(new PresenceChange("u1", "online", 100, "test", 0));
        assertThat(buffer.size()).as("not the reduced change: it was seen later").isEqualTo(2);

        buffer.remove(buffer.changes().get(0));
        assertThat(buffer.changes()).extracting(PresenceChange::userId).containsExactly("u2");
    }

    @Test
    void changesComeOutOnePerUserSortedByUserId() {
        PresenceBuffer buffer = new PresenceBuffer();
        buffer.add(set("carol", "online", 1));
        buffer.add(set("Alice", "online", 1));
        buffer.add(set("alice", "away", 1));
        buffer.add(set("bob", "busy", 1));
        buffer.add(set("bob", "away", 2));

        assertThat(buffer.changes()).extracting(PresenceChange::userId).containsExactly("Alice", "alice", "bob", "carol");
        assertThat(buffer.size()).isEqualTo(4);
    }
}

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

    private PresenceChange confirming(String user, String status, long ts) {
        return PresenceChange.heartbeat(user, status, ts, "fold", seq++);
    }

    @Test
    void aUserWithOnlyHeartbeatsKeepsTheNewestConfirmedStatusAsOfItsOwnTsAndIsSeenAtTheNewestHeartbeat() {
        PresenceBuffer buffer = new PresenceBuffer();
        buffer.add(confirming("u1", "away", 100));
        PresenceChange busy = confirming("u1", "busy", 200);
        buffer.add(busy);
        buffer.add(heartbeat("u1", 300));
        // from a second partition: older, arriving later
        buffer.add(confirming("u1", "online", 150));
        buffer.add(heartbeat("u1", 250));

        assertThat(buffer.changes()).containsExactly(busy.withSeen(300));
        assertThat(buffer.changes().get(0).confirmsStatus()).isTrue();
        assertThat(buffer.changes().get(0).source()).isEqualTo("fold");
        // away 100 and online 150 (older than busy 200), heartbeat 250 (older than 300)
        assertThat(buffer.superseded()).isEqualTo(3);
    }

    @Test
    void aConfirmingHeartbeatAsNewAsABareOneMakesTheBareOneUseless() {
        PresenceBuffer buffer = new PresenceBuffer();
        buffer.add(heartbeat("u1", 300));
        PresenceChange away = confirming("u1", "away", 300);
        buffer.add(away);
        buffer.add(confirming("u2", "away", 300));
        PresenceChange busy = confirming("u2", "busy", 300);
        buffer.add(busy);

        assertThat(buffer.changes()).containsExactly(away, busy);
        assertThat(buffer.superseded()).as("the bare heartbeat of u1; on equal ts the later record wins").isEqualTo(2);
    }

    @Test
    void aStatusChangeOrDeletionWinsOverTheStatusAHeartbeatConfirms() {
        PresenceBuffer buffer = new PresenceBuffer();
        buffer.add(confirming("u1", "busy", 200));
        buffer.add(set("u1", "online", 100));
        buffer.add(confirming("u2", "busy", 300));
        buffer.add(PresenceChange.delete("u2", 200, seq++));
        buffer.add(confirming("u2", "away", 400));

        assertThat(buffer.changes()).extracting(PresenceChange::kind, PresenceChange::status, PresenceChange::ts,
                        PresenceChange::seen)
                .containsExactly(tuple(Kind.STATUS, "online", 100L, 200L), tuple(Kind.DELETE, null, 200L, 400L));
        assertThat(buffer.changes()).allMatch(PresenceChange::seenAfterChange);
        assertThat(buffer.superseded()).as("busy 300 of u2: older than away 400, and its status is ignored")
                .isEqualTo(1);
    }

    @Test
    void aConfirmingHeartbeatOlderThanTheNewestHeartbeatIsUselessOnceAStatusChangeArrives() {
        PresenceBuffer buffer = new PresenceBuffer();
        buffer.add(confirming("u1", "busy", 200));
        buffer.add(heartbeat("u1", 300));
        buffer.add(set("u1", "online", 250));

        assertThat(buffer.changes()).extracting(PresenceChange::status, PresenceChange::ts, PresenceChange::seen)
                .containsExactly(tuple("online", 250L, 300L));
        assertThat(buffer.superseded()).isEqualTo(1);
    }

    @Test
    void removingAConfirmingHeartbeatTakesTheUserOutOfTheBatch() {
        PresenceBuffer buffer = new PresenceBuffer();
        buffer.add(confirming("u1", "busy", 200));
        buffer.add(heartbeat("u1", 300));

        buffer.remove(buffer.changes().get(0));
        assertThat(buffer.isEmpty()).isTrue();
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

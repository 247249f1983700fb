package io.agentpresence.consumer.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.agentpresence.consumer.sink.PresenceChange.Kind;
import org.junit.jupiter.api.Test;

class PresenceBufferTest {

    private final PresenceBuffer buffer = new PresenceBuffer();
    private long seq;

    private PresenceChange set(String user, String status, long ts) {
        return new PresenceChange(user, status, ts, "test", seq++);
    }

    private PresenceChange heartbeat(String user, long ts) {
        return PresenceChange.heartbeat(user, ts, seq++);
    }

    private PresenceChange confirming(String user, String status, long ts) {
        return PresenceChange.heartbeat(user, status, ts, "fold", seq++);
    }

    private PresenceChange delete(String user, long ts) {
        return PresenceChange.delete(user, ts, seq++);
    }

    private void add(PresenceChange... changes) {
        for (PresenceChange change : changes) {
            buffer.add(change);
        }
    }

    @Test
    void keepsTheStatementWithTheGreatestTsEvenWhenAnOlderOneArrivesLater() {
        // same user from a second partition, older event time, later in the poll
        add(set("u1", "busy", 300), set("u1", "online", 100));

        assertThat(buffer.changes()).extracting(PresenceChange::status).containsExactly("busy");
        assertThat(buffer.superseded()).isEqualTo(1);
    }

    @Test
    void onEqualTsTheRuleDecidesNotTheArrivalOrder() {
        add(set("u1", "offline", 100), set("u1", "online", 100));
        add(set("u2", "online", 100), set("u2", "offline", 100));
        add(set("u3", "away", 100), set("u3", "busy", 100), set("u3", "away", 100));

        assertThat(buffer.changes()).extracting(PresenceChange::userId, PresenceChange::status)
                .containsExactly(tuple("u1", "offline"), tuple("u2", "offline"), tuple("u3", "busy"));
    }

    @Test
    void aHeartbeatWithAStatusCompetesAsAStatement() {
        add(set("u1", "away", 100), confirming("u1", "online", 200));
        add(confirming("u2", "online", 300), set("u2", "away", 200));

        assertThat(buffer.changes()).extracting(PresenceChange::userId, PresenceChange::kind, PresenceChange::status)
                .containsExactly(tuple("u1", Kind.HEARTBEAT, "online"), tuple("u2", Kind.HEARTBEAT, "online"));
        assertThat(buffer.changes()).allMatch(change -> change.phase() == PresenceChange.STATEMENT);
    }

    @Test
    void aRoundRunsHeartbeatsBeforeStatementsThenDeletionsThenHeartbeatsAfter() {
        add(heartbeat("u1", 50), heartbeat("u1", 40), set("u1", "online", 10), set("u1", "away", 20),
                delete("u1", 15), heartbeat("u1", 60), heartbeat("u1", 55));

        assertThat(buffer.changes()).extracting(PresenceChange::kind, PresenceChange::ts, PresenceChange::step)
                .containsExactly(tuple(Kind.HEARTBEAT, 50L, PresenceChange.SEEN_BEFORE),
                        tuple(Kind.STATUS, 20L, PresenceChange.STATEMENT),
                        tuple(Kind.DELETE, 15L, PresenceChange.DELETION),
                        tuple(Kind.HEARTBEAT, 60L, PresenceChange.SEEN_AFTER));
        assertThat(buffer.superseded()).isEqualTo(3);
    }

    @Test
    void aStatementAfterADeletionStartsTheUsersNextRound() {
        add(set("u1", "online", 10), delete("u1", 18), set("u1", "away", 19));

        assertThat(buffer.changes()).extracting(PresenceChange::kind, PresenceChange::step)
                .containsExactly(tuple(Kind.STATUS, PresenceChange.STATEMENT),
                        tuple(Kind.DELETE, PresenceChange.DELETION),
                        tuple(Kind.STATUS, 4 + PresenceChange.STATEMENT));
        assertThat(buffer.superseded()).isZero();
    }

    @Test
    void aStatementOrDeletionAfterALaterHeartbeatStartsTheNextRound() {
        add(set("u1", "online", 10), heartbeat("u1", 30), set("u1", "away", 20));
        add(set("u2", "online", 10), heartbeat("u2", 30), delete("u2", 20));

        assertThat(buffer.changes()).extracting(PresenceChange::userId, PresenceChange::step)
                .containsExactly(tuple("u1", PresenceChange.STATEMENT), tuple("u2", PresenceChange.STATEMENT),
                        tuple("u1", PresenceChange.SEEN_AFTER), tuple("u2", PresenceChange.SEEN_AFTER),
                        tuple("u1", 4 + PresenceChange.STATEMENT), tuple("u2", 4 + PresenceChange.DELETION));
    }

    @Test
    void changesComeOutByStepThenUserId() {
        add(set("carol", "online", 1), set("Alice", "online", 1), set("alice", "away", 1), set("bob", "busy", 1),
                set("bob", "away", 2), heartbeat("dave", 5), delete("erin", 3));

        assertThat(buffer.changes()).extracting(PresenceChange::userId)
                .containsExactly("dave", "Alice", "alice", "bob", "carol", "erin");
        assertThat(buffer.size()).isEqualTo(6);
    }

    @Test
    void removingAUserTakesAllOfItsChangesOutOfTheBatch() {
        add(set("u1", "online", 10), delete("u1", 18), set("u1", "away", 19), set("u2", "busy", 5));

        buffer.remove("u1");

        assertThat(buffer.changes()).extracting(PresenceChange::userId).containsExactly("u2");
        assertThat(buffer.superseded()).isZero();
    }
}

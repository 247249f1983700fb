package io.agentpresence.consumer.sink;

import static org.assertj.core.api.Assertions.assertThat;

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
                .containsExactly(org.assertj.core.groups.Tuple.tuple("u1", true),
                        org.assertj.core.groups.Tuple.tuple("u2", false));
    }

    @Test
    void aHeartbeatNeitherDeletesNorReplacesAStatusChange() {
        PresenceBuffer buffer = new PresenceBuffer();
        buffer.add(set("u1", "online", 100));
        buffer.add(PresenceChange.heartbeat("u1", 200, seq++));

        assertThat(buffer.changes()).containsExactly(new PresenceChange("u1", "online", 100, "test", 0));
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

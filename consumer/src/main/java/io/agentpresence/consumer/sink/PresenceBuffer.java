package io.agentpresence.consumer.sink;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reduces a batch so that writing it gives exactly the table that writing its records one by one would give, under
 * the rule of {@link StatementOrder}. Per user, in arrival order, the records fall into rounds; a round holds the newest
 * bare heartbeat before the user's statements, the winning statement, the newest deletion and the newest bare
 * heartbeat after them, which the writer applies in that order. A record that would break that order (a statement
 * after a deletion or after a later heartbeat, a deletion after a later heartbeat) starts the user's next round. So
 * a bare heartbeat counts exactly when the row is there at its turn, and a deletion between two statements starts
 * the row afresh, whatever the batch boundaries. Most users have one round.
 */
public final class PresenceBuffer {

    private final Map<String, User> users;
    private long records;
    /** How many changes the users hold: {@link #changes()}'s size, kept as they arrive. */
    private int kept;

    public PresenceBuffer() {
        this(0);
    }

    /** @param expectedRecords about how many records will be added: the buffer is sized for them from the start */
    public PresenceBuffer(int expectedRecords) {
        users = new HashMap<>(Math.max(16, (int) (expectedRecords / 0.75f) + 1));
    }

    public void add(PresenceChange change) {
        records++;
        kept += users.computeIfAbsent(change.userId(), id -> new User()).add(change);
    }

    /** Takes a user out of the batch (its records go to the dead-letter topic instead). */
    public void remove(String userId) {
        User user = users.remove(userId);
        if (user != null) {
            records -= user.records;
            kept -= user.size();
        }
    }

    /**
     * The reduced batch, in write order: by step, then by userId, so concurrent writers lock rows in one order (no
     * deadlocks).
     */
    public List<PresenceChange> changes() {
        List<PresenceChange> reduced = new ArrayList<>(kept);
        users.values().forEach(user -> user.reduced(reduced));
        PresenceChange[] changes = reduced.toArray(new PresenceChange[0]);
        LockOrder.sort(changes);
        return Arrays.asList(changes);
    }

    /** How many records the batch dropped because others of the same user in it make them useless. */
    public long superseded() {
        return records - kept;
    }

    public boolean isEmpty() {
        return users.isEmpty();
    }

    /** How many changes {@link #changes()} returns. */
    public int size() {
        return kept;
    }

    /** One user's records in the batch, reduced as they arrive. */
    private static final class User {

        /** The rounds before the current one; null while there are none, as for most users. */
        private List<PresenceChange> finished;
        private int records;
        private int round;
        /** The latest phase this round has reached; -1 before its first record. */
        private int phase = -1;
        private PresenceChange seenBefore;
        private PresenceChange statement;
        private PresenceChange deletion;
        private PresenceChange seenAfter;

        /** @return how many changes this adds to the user's (0 when it replaces or drops one, or adds none) */
        int add(PresenceChange next) {
            int before = size();
            records++;
            if (next.isBareHeartbeat()) {
                if (phase <= PresenceChange.SEEN_BEFORE) {
                    seenBefore = newer(seenBefore, next);
                    phase = PresenceChange.SEEN_BEFORE;
                } else {
                    seenAfter = newer(seenAfter, next);
                    phase = PresenceChange.SEEN_AFTER;
                }
            } else if (next.isStatement()) {
                if (phase > PresenceChange.STATEMENT) {
                    finishRound();
                }
                if (statement == null || wins(next, statement)) {
                    statement = next;
                }
                phase = PresenceChange.STATEMENT;
            } else {
                if (phase > PresenceChange.DELETION) {
                    finishRound();
                }
                deletion = newer(deletion, next);
                phase = PresenceChange.DELETION;
            }
            return size() - before;
        }

        private static boolean wins(PresenceChange a, PresenceChange b) {
            return StatementOrder.compare(a.ts(), a.status(), a.source(), b.ts(), b.status(), b.source()) > 0;
        }

        private static PresenceChange newer(PresenceChange kept, PresenceChange next) {
            return kept == null || next.ts() > kept.ts() ? next : kept;
        }

        private void finishRound() {
            if (finished == null) {
                finished = new ArrayList<>();
            }
            reducedRound(finished);
            seenBefore = statement = deletion = seenAfter = null;
            phase = -1;
            round++;
        }

        private void reducedRound(List<PresenceChange> into) {
            if (seenBefore != null) {
                into.add(seenBefore.at(round, PresenceChange.SEEN_BEFORE));
            }
            if (statement != null) {
                into.add(statement.at(round, PresenceChange.STATEMENT));
            }
            if (deletion != null) {
                into.add(deletion.at(round, PresenceChange.DELETION));
            }
            if (seenAfter != null) {
                into.add(seenAfter.at(round, PresenceChange.SEEN_AFTER));
            }
        }

        void reduced(List<PresenceChange> into) {
            if (finished != null) {
                into.addAll(finished);
            }
            reducedRound(into);
        }

        int size() {
            return (finished == null ? 0 : finished.size()) + (seenBefore == null ? 0 : 1) + (statement == null ? 0 : 1)
                    + (deletion == null ? 0 : 1) + (seenAfter == null ? 0 : 1);
        }
    }
}

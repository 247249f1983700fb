package io.agentpresence.consumer.sink;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reduces a batch to one change per user: the newest by event time, ties going to the later record. Not
 * simply the last to arrive: one user's events can reach a batch from two partitions, and keeping the
 * older one would lose the newer for good once the batch's offsets are committed.
 */
public final class PresenceBuffer {

    private final Map<String, PresenceChange> newest = new HashMap<>();
    private long superseded;

    public void add(PresenceChange change) {
        if (change.isHeartbeat()) {
            // changes no status; nothing in the table records it yet
            return;
        }
        PresenceChange current = newest.putIfAbsent(change.userId(), change);
        if (current == null) {
            return;
        }
        superseded++;
        if (change.supersedes(current)) {
            newest.put(change.userId(), change);
        }
    }

    /** Takes a change out of the batch (its record goes to the dead-letter topic instead). */
    public void remove(PresenceChange change) {
        newest.remove(change.userId(), change);
    }

    /** The reduced batch, sorted by userId so concurrent writers lock rows in one order (no deadlocks). */
    public List<PresenceChange> changes() {
        List<PresenceChange> changes = new ArrayList<>(newest.values());
        changes.sort((a, b) -> a.userId().compareTo(b.userId()));
        return changes;
    }

    /** How many changes were dropped because a newer one for the same user was in the batch. */
    public long superseded() {
        return superseded;
    }

    public boolean isEmpty() {
        return newest.isEmpty();
    }

    public int size() {
        return newest.size();
    }
}

package io.agentpresence.consumer.sink;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reduces a batch to one change per user: the newest status change or deletion by event time, ties going to
 * the later record (not simply the last to arrive: one user's events can reach a batch from two partitions,
 * and keeping the older one would lose the newer for good once the batch's offsets are committed), carrying
 * the newest event time seen for the user as {@link PresenceChange#seen()}. Status events and heartbeats
 * count as seen; a deletion does not, so it never raises last_seen of a row it deletes. A heartbeat never
 * replaces a status change or deletion, and the status it confirms is then ignored. A user with only heartbeats
 * in the batch gets the newest heartbeat that confirms a status (ties to the later record), carrying the newest
 * heartbeat's time as seen; with none confirming a status, the newest heartbeat. The confirming heartbeat keeps
 * its own ts: that is when the status was said, and a row created from it must not claim it any later.
 */
public final class PresenceBuffer {

    private final Map<String, User> users = new HashMap<>();
    private long superseded;

    public void add(PresenceChange change) {
        User user = users.get(change.userId());
        if (user == null) {
            users.put(change.userId(), new User(change));
        } else {
            superseded += user.add(change);
        }
    }

    /** Takes a change out of the batch (its record goes to the dead-letter topic instead). */
    public void remove(PresenceChange change) {
        User user = users.get(change.userId());
        if (user != null && user.reduced().equals(change)) {
            users.remove(change.userId());
        }
    }

    /** The reduced batch, sorted by userId so concurrent writers lock rows in one order (no deadlocks). */
    public List<PresenceChange> changes() {
        List<PresenceChange> changes = new ArrayList<>(users.size());
        users.values().forEach(user -> changes.add(user.reduced()));
        changes.sort(Comparator.comparing(PresenceChange::userId));
        return changes;
    }

    /**
     * How many records the batch dropped because a newer one of the same user makes them useless: a status
     * change or deletion replaced by a newer one; a heartbeat that neither sets last_seen (another event of the
     * user is as new) nor supplies the status of a user whose batch holds heartbeats only.
     */
    public long superseded() {
        return superseded;
    }

    public boolean isEmpty() {
        return users.isEmpty();
    }

    public int size() {
        return users.size();
    }

    /** One user's records in the batch, reduced as they arrive. */
    private static final class User {

        /** The newest status change or deletion; null while the batch holds only heartbeats of the user. */
        private PresenceChange change;
        /** The heartbeat that set {@link #seen}, while no status event is as new; else null. */
        private PresenceChange heartbeat;
        /**
         * The newest heartbeat that confirms a status, while {@link #change} is null; once a status change or
         * deletion is in the batch, the status a heartbeat confirms no longer matters and this is ignored.
         */
        private PresenceChange confirmed;
        private long seen = PresenceChange.UNSEEN;

        User(PresenceChange first) {
            add(first);
        }

        /** @return how many records (0, 1 or 2) this one leaves without effect, itself included */
        int add(PresenceChange next) {
            int before = recordsInUse();
            if (next.isHeartbeat()) {
                addHeartbeat(next);
            } else {
                addChange(next);
            }
            return before + 1 - recordsInUse();
        }

        private void addHeartbeat(PresenceChange next) {
            if (change == null && next.confirmsStatus() && (confirmed == null || next.supersedes(confirmed))) {
                confirmed = next;
            }
            if (next.ts() > seen) {
                heartbeat = next;
                seen = next.ts();
            }
        }

        private void addChange(PresenceChange next) {
            if (change == null || next.supersedes(change)) {
                change = next;
            }
            if (!next.isDelete() && next.ts() >= seen) {
                // a status event as new as the heartbeat sets last_seen just as well
                heartbeat = null;
                seen = next.ts();
            }
        }

        /** How many of the user's records {@link #reduced()} draws on. */
        private int recordsInUse() {
            if (change != null) {
                return heartbeat == null ? 1 : 2;
            }
            if (confirmed == null) {
                return heartbeat == null ? 0 : 1;
            }
            return heartbeat.ts() > confirmed.ts() ? 2 : 1;
        }

        PresenceChange reduced() {
            if (change != null) {
                return change.withSeen(seen);
            }
            return confirmed == null ? heartbeat : confirmed.withSeen(seen);
        }
    }
}

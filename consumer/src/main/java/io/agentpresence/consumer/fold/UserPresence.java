package io.agentpresence.consumer.fold;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The fold's state of one user, as stored: the user's devices, the last status the fold emitted for the user and
 * its event time, the newest event time seen from any device ({@code lastSeenTs}), the time of the user's latest
 * deletion ({@code deletedTs}, a tombstone's timestamp), the fold's wall-clock time when it last read a record of the
 * user ({@code lastActivity}), and the deadline under which the user is filed in the expiry index. Times are epoch
 * milliseconds; -1 means "none yet". Mutable, and used by
 * one stream thread at a time.
 */
final class UserPresence {

    static final long NONE = -1;

    private final SortedMap<String, DeviceState> devices;
    private String emittedStatus;
    private long emittedTs;
    private long lastSeenTs;
    private long deletedTs;
    private long lastActivity;
    private long deadline;

    UserPresence() {
        this(new TreeMap<>(), null, NONE, NONE, NONE, NONE, NONE);
    }

    UserPresence(SortedMap<String, DeviceState> devices, String emittedStatus, long emittedTs, long lastSeenTs,
                 long deletedTs, long lastActivity, long deadline) {
        this.devices = new TreeMap<>(devices);
        this.emittedStatus = emittedStatus;
        this.emittedTs = emittedTs;
        this.lastSeenTs = lastSeenTs;
        this.deletedTs = deletedTs;
        this.lastActivity = lastActivity;
        this.deadline = deadline;
    }

    DeviceState device(String name) {
        return devices.get(name);
    }

    void put(String name, DeviceState state) {
        devices.put(name, state);
    }

    void remove(String name) {
        devices.remove(name);
    }

    /** The devices by name, read-only. */
    Map<String, DeviceState> devices() {
        return Collections.unmodifiableSortedMap(devices);
    }

    List<String> liveStatuses() {
        return devices.values().stream().filter(DeviceState::live).map(DeviceState::status).toList();
    }

    /** Records that the user was seen at {@code ts}; true when that is newer than anything seen before. */
    boolean see(long ts) {
        if (ts <= lastSeenTs) {
            return false;
        }
        lastSeenTs = ts;
        return true;
    }

    /**
     * Forgets the user's devices and status after a deletion at {@code deletedTs}, keeping the time floor: what is
     * emitted next must not be older than the deletion or than what the table may still hold. The deletion time is
     * kept too, so that a device event from before it cannot bring the user back.
     */
    void forget(long deletedTs) {
        devices.clear();
        emittedStatus = null;
        emittedTs = Math.max(emittedTs, deletedTs);
        this.deletedTs = Math.max(this.deletedTs, deletedTs);
    }

    void emitted(String status, long ts) {
        emittedStatus = status;
        emittedTs = ts;
    }

    /** The status last emitted for the user, or null before the first. */
    String emittedStatus() {
        return emittedStatus;
    }

    long emittedTs() {
        return emittedTs;
    }

    long lastSeenTs() {
        return lastSeenTs;
    }

    /** The time of the user's latest deletion, or {@link #NONE}. */
    long deletedTs() {
        return deletedTs;
    }

    /** Records that a record of the user was read at wall-clock time {@code now}. */
    void heardAt(long now) {
        lastActivity = Math.max(lastActivity, now);
    }

    long lastActivity() {
        return lastActivity;
    }

    long deadline() {
        return deadline;
    }

    void deadline(long deadline) {
        this.deadline = deadline;
    }

    @Override
    public String toString() {
        return "UserPresence{devices=" + devices + ", emitted=" + emittedStatus + "@" + emittedTs + ", lastSeen="
                + lastSeenTs + ", deleted=" + deletedTs + ", lastActivity=" + lastActivity + ", deadline=" + deadline + "}";
    }
}

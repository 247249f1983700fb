package io.agentpresence.consumer.fold;

import io.agentpresence.consumer.ops.FoldMetrics.Emitted;
import io.agentpresence.consumer.ops.FoldMetrics.Ignored;
import io.agentpresence.model.PresenceEvent;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The fold's rules, free of Kafka: how a device event or the passing of time changes a user's
 * {@link UserPresence}, and which user-level event that makes. A user's status is the best status of the
 * user's live devices by {@link Precedence}, {@code offline} when none is live, and a status event is emitted
 * only when that changes. Liveness is the fold's own wall clock ({@code now}), never the publishers' clocks. A user
 * keeps at most a configured number of devices, and one without devices is forgotten after a retention.
 */
final class DeviceFold {

    /** The device of an event that names none: the one implicit device of a v1 publisher. */
    static final String DEFAULT_DEVICE = "default";
    /** The source of emitted events whose trigger names none. */
    static final String SOURCE = "presence-fold";
    /** The source of a status emitted because devices expired. */
    static final String EXPIRED_SOURCE = "presence-fold:expired";

    private final Precedence precedence;
    private final long ttlMs;
    private final boolean forwardHeartbeats;
    private final long retentionMs;
    private final int maxDevices;

    DeviceFold(Precedence precedence, Duration ttl, boolean forwardHeartbeats, Duration retention, int maxDevices) {
        this.precedence = precedence;
        this.ttlMs = ttl.toMillis();
        this.forwardHeartbeats = forwardHeartbeats;
        this.retentionMs = retention.toMillis();
        this.maxDevices = maxDevices;
    }

    /** Applies a valid device event read at wall-clock time {@code now}. */
    Outcome apply(UserPresence user, PresenceEvent event, long now) {
        if (event.ts() <= user.deletedTs()) {
            // sent before the user was deleted and read after it: it must not bring the user back
            return Outcome.ignored(Ignored.DELETED);
        }
        String name = event.device() != null ? event.device() : DEFAULT_DEVICE;
        DeviceState known = user.device(name);
        boolean live = known != null && known.live();
        if (event.isHeartbeat() && (live || event.status() == null)) {
            // keeps a live device alive; one without a status cannot make a device live
            if (live) {
                user.put(name, known.touched(now));
            }
            return user.see(event.ts()) ? heartbeat(event, user) : Outcome.NOTHING;
        }
        // a status event, or a heartbeat confirming a status from a device that is not live (expired, say): the
        // device (re)joins with that status
        if (known != null && event.ts() < known.lastTs()) {
            return Outcome.ignored(Ignored.STALE);
        }
        if (known != null && event.ts() == known.lastTs() && event.status().equals(known.status())) {
            user.put(name, known.touched(now));
            return Outcome.ignored(Ignored.DUPLICATE);
        }
        int evicted = known == null ? makeRoom(user) : 0;
        // an equal ts with another status is the later record, which wins as it does in the consumer
        user.put(name, new DeviceState(event.status(), event.ts(), now));
        boolean seen = user.see(event.ts());
        String folded = precedence.fold(user.liveStatuses());
        Outcome outcome;
        if (!folded.equals(user.emittedStatus())) {
            outcome = Outcome.emit(status(event.userId(), user, folded, event.ts(), source(event)), Emitted.STATUS, 0);
        } else {
            outcome = seen ? heartbeat(event, user) : Outcome.NOTHING;
        }
        return evicted == 0 ? outcome : outcome.withEvicted(evicted);
    }

    /**
     * Evicts the devices heard from least recently until a new one fits: a client that invents a device id per
     * connection must not grow the stored user without bound. Returns how many were evicted.
     */
    private int makeRoom(UserPresence user) {
        int evicted = 0;
        while (user.devices().size() >= maxDevices) {
            String oldest = user.devices().entrySet().stream()
                    .min(Comparator.comparingLong((Map.Entry<String, DeviceState> d) -> d.getValue().lastActivity()))
                    .orElseThrow().getKey();
            user.remove(oldest);
            evicted++;
        }
        return evicted;
    }

    /**
     * Drops the devices of {@code userId} that have been silent for the TTL at wall-clock time {@code now}.
     * A device counts as active at {@code floor} at the latest (when this task started), so a fold that was
     * down, or is catching up, does not expire devices whose heartbeats it has yet to read.
     */
    Outcome expire(String userId, UserPresence user, long now, long floor) {
        int expired = 0;
        for (Map.Entry<String, DeviceState> device : List.copyOf(user.devices().entrySet())) {
            if (liveUntil(device.getValue(), floor) <= now) {
                user.remove(device.getKey());
                expired += device.getValue().live() ? 1 : 0;
            }
        }
        if (expired == 0) {
            return Outcome.NOTHING;
        }
        String folded = precedence.fold(user.liveStatuses());
        if (folded.equals(user.emittedStatus())) {
            return Outcome.expiredSilently(expired);
        }
        // the user's last sighting, not the wall clock, yet newer than the status it ends (see status())
        return Outcome.emit(status(userId, user, folded, user.lastSeenTs(), EXPIRED_SOURCE), Emitted.EXPIRY, expired);
    }

    /**
     * When the first device of the user runs out; for a user without devices, when the user is forgotten: the
     * retention after the user's last record, or after {@code floor} when that is later.
     */
    long deadline(UserPresence user, long floor) {
        return user.devices().values().stream().mapToLong(d -> liveUntil(d, floor)).min()
                .orElse(Math.max(user.lastActivity(), floor) + retentionMs);
    }

    private long liveUntil(DeviceState device, long floor) {
        return Math.max(device.lastActivity(), floor) + ttlMs;
    }

    /**
     * A status event strictly newer than everything emitted for the user before (and than the user's deletion), so
     * it wins in the consumer by its ts alone and never ties with the status it replaces.
     */
    private static PresenceEvent status(String userId, UserPresence user, String status, long ts, String source) {
        long emittedTs = Math.max(ts, user.emittedTs() + 1);
        user.emitted(status, emittedTs);
        return new PresenceEvent(userId, status, emittedTs, source);
    }

    /**
     * A user-level heartbeat confirming the status last emitted (none before the first): on the compacted presence
     * topic it may outlive that status event, and a replay then learns the status from it.
     */
    private Outcome heartbeat(PresenceEvent event, UserPresence user) {
        if (!forwardHeartbeats) {
            return Outcome.NOTHING;
        }
        String status = user.emittedStatus();
        long ts = user.lastSeenTs();
        if (status != null) {
            // a heartbeat with a status is a statement: never older than the status it confirms, and the next
            // status must be newer than it
            ts = Math.max(ts, user.emittedTs());
            user.emitted(status, ts);
        }
        return Outcome.emit(new PresenceEvent(PresenceEvent.Kind.HEARTBEAT, event.userId(), status, ts,
                source(event), null), Emitted.HEARTBEAT, 0);
    }

    private static String source(PresenceEvent event) {
        return event.source() != null ? event.source() : SOURCE;
    }
}

package io.agentpresence.consumer.ops;

import io.agentpresence.model.Rejection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * Every meter {@code fold} records beside the Kafka Streams metrics, named in one place like
 * {@link PresenceMetrics}: lowercase, dotted, tags of bounded cardinality only. Under exactly-once a transaction
 * that aborts is processed again, so these counters may count its records twice; the topics never do.
 */
public final class FoldMetrics {

    public static final String EVENTS_READ = "presence.fold.events.read";
    public static final String EVENTS_IGNORED = "presence.fold.events.ignored";
    public static final String EVENTS_REJECTED = "presence.fold.events.rejected";
    public static final String EVENTS_EMITTED = "presence.fold.events.emitted";
    public static final String DEVICES_EXPIRED = "presence.fold.devices.expired";
    public static final String DEVICES_EVICTED = "presence.fold.devices.evicted";
    public static final String USERS_FORGOTTEN = "presence.fold.users.forgotten";
    public static final String RECORDS_DROPPED = "presence.fold.records.dropped";
    public static final String SWEEPS = "presence.fold.sweeps";

    /** What a device record was. */
    public enum Read { STATUS, HEARTBEAT, TOMBSTONE }

    /** Why a valid device event changed nothing. */
    public enum Ignored { STALE, DUPLICATE, DELETED }

    /** Why the broker refused an output record for good, so the fold skipped it. */
    public enum Dropped { TOO_LARGE, INVALID }

    /** Why a user-level record was written to the presence topic. */
    public enum Emitted { STATUS, EXPIRY, HEARTBEAT, TOMBSTONE }

    private final Map<Read, Counter> read = new EnumMap<>(Read.class);
    private final Map<Ignored, Counter> ignored = new EnumMap<>(Ignored.class);
    private final Map<Emitted, Counter> emitted = new EnumMap<>(Emitted.class);
    private final Map<Rejection, Counter> rejected = new EnumMap<>(Rejection.class);
    private final Counter expired;
    private final Counter evicted;
    private final Counter forgotten;
    private final Counter sweeps;
    private final Map<Dropped, Counter> dropped = new EnumMap<>(Dropped.class);

    public FoldMetrics(MeterRegistry registry) {
        for (Read r : Read.values()) {
            read.put(r, Counter.builder(EVENTS_READ).tag("kind", tag(r))
                    .description("valid records read from the device topic").register(registry));
        }
        for (Ignored i : Ignored.values()) {
            ignored.put(i, Counter.builder(EVENTS_IGNORED).tag("reason", tag(i))
                    .description("device events older than, or the same as, the device's last one, or not newer than"
                            + " the user's deletion")
                    .register(registry));
        }
        for (Emitted e : Emitted.values()) {
            emitted.put(e, Counter.builder(EVENTS_EMITTED).tag("reason", tag(e))
                    .description("user-level records written to the presence topic").register(registry));
        }
        for (Rejection r : Rejection.values()) {
            rejected.put(r, Counter.builder(EVENTS_REJECTED).tag("reason", r.code())
                    .description("device records that are not valid events, sent to the dead-letter topic")
                    .register(registry));
        }
        for (Dropped d : Dropped.values()) {
            dropped.put(d, Counter.builder(RECORDS_DROPPED).tag("reason", tag(d))
                    .description("output records the broker refused for good (too large, invalid), skipped")
                    .register(registry));
        }
        expired = Counter.builder(DEVICES_EXPIRED).description("live devices dropped after the TTL without an event")
                .register(registry);
        evicted = Counter.builder(DEVICES_EVICTED)
                .description("devices dropped, least recently heard first, to keep a user within fold.max.devices")
                .register(registry);
        forgotten = Counter.builder(USERS_FORGOTTEN)
                .description("users without devices removed from the fold's state after fold.user.retention")
                .register(registry);
        sweeps = Counter.builder(SWEEPS)
                .description("expiry sweeps run by the fold's tasks, each every fold.sweep.interval, with or without"
                        + " anything due")
                .register(registry);
    }

    /** An enum constant as a tag value: lower case, words joined by hyphens ({@code TOO_LARGE}: {@code too-large}). */
    private static String tag(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public void read(Read kind) {
        read.get(kind).increment();
    }

    public void ignored(Ignored reason) {
        ignored.get(reason).increment();
    }

    public void emitted(Emitted reason) {
        emitted.get(reason).increment();
    }

    public void rejected(Rejection reason) {
        rejected.get(reason).increment();
    }

    public void dropped(Dropped reason) {
        dropped.get(reason).increment();
    }

    public void expired(int devices) {
        expired.increment(devices);
    }

    public void evicted(int devices) {
        evicted.increment(devices);
    }

    public void forgotten() {
        forgotten.increment();
    }

    public void swept() {
        sweeps.increment();
    }
}

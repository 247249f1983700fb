package io.agentpresence.consumer.ops;

import io.agentpresence.model.Rejection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every meter the consumer records, named in one place: lowercase, dotted, with descriptions, and tags of
 * bounded cardinality only (reason codes and kinds, never a userId).
 */
public final class PresenceMetrics {

    public static final String EVENTS_CONSUMED = "presence.events.consumed";
    public static final String EVENTS_REJECTED = "presence.events.rejected";
    public static final String EVENTS_SUPERSEDED = "presence.events.superseded";
    public static final String EVENTS_DEAD_LETTERED = "presence.events.dead.lettered";
    public static final String CHANGES_WRITTEN = "presence.changes.written";
    public static final String BATCH_WRITE = "presence.batch.write";
    public static final String BATCH_RETRIES = "presence.batch.retries";
    public static final String PARTITIONS_FENCED = "presence.partitions.fenced";

    private final MeterRegistry registry;
    private final Counter consumed;
    private final Counter superseded;
    private final Counter upserts;
    private final Counter deletes;
    private final Counter retries;
    private final Counter fenced;
    private final Timer batchWrite;
    private final Map<Rejection, Counter> rejected = new EnumMap<>(Rejection.class);
    private final Map<String, Counter> deadLettered = new ConcurrentHashMap<>();

    public PresenceMetrics(MeterRegistry registry) {
        this.registry = registry;
        consumed = Counter.builder(EVENTS_CONSUMED).description("records polled from the presence topic")
                .register(registry);
        superseded = Counter.builder(EVENTS_SUPERSEDED)
                .description("valid events dropped in a batch because a newer one for the same user was in it")
                .register(registry);
        upserts = Counter.builder(CHANGES_WRITTEN).tag("kind", "upsert")
                .description("changes sent to the database in committed batches").register(registry);
        deletes = Counter.builder(CHANGES_WRITTEN).tag("kind", "delete")
                .description("changes sent to the database in committed batches").register(registry);
        retries = Counter.builder(BATCH_RETRIES)
                .description("batch attempts that failed on the infrastructure and were kept for a retry")
                .register(registry);
        fenced = Counter.builder(PARTITIONS_FENCED)
                .description("batches refused because the stored partition position moved (rebalance or restore)")
                .register(registry);
        batchWrite = Timer.builder(BATCH_WRITE).description("time to write and commit one batch").register(registry);
        for (Rejection r : Rejection.values()) {
            rejected.put(r, Counter.builder(EVENTS_REJECTED).tag("reason", r.code())
                    .description("records that are not valid presence events").register(registry));
        }
    }

    public MeterRegistry registry() {
        return registry;
    }

    public void consumed(int n) {
        consumed.increment(n);
    }

    public void rejected(Rejection reason) {
        rejected.get(reason).increment();
    }

    public void deadLettered(String reason) {
        deadLettered.computeIfAbsent(reason, r -> Counter.builder(EVENTS_DEAD_LETTERED).tag("reason", r)
                .description("records sent to the dead-letter topic").register(registry)).increment();
    }

    public void superseded(long n) {
        superseded.increment(n);
    }

    public void written(long upsertCount, long deleteCount) {
        upserts.increment(upsertCount);
        deletes.increment(deleteCount);
    }

    public void retried() {
        retries.increment();
    }

    public void fenced() {
        fenced.increment();
    }

    public Timer batchWrite() {
        return batchWrite;
    }
}

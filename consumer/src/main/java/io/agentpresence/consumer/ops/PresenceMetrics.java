package io.agentpresence.consumer.ops;

import io.agentpresence.consumer.error.DeadLetter;
import io.agentpresence.consumer.sink.WriteResult;
import io.agentpresence.model.Rejection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * Every meter the consumer records, named in one place: lowercase, dotted, with descriptions, and tags of
 * bounded cardinality only (reason codes and kinds, never a userId).
 */
public final class PresenceMetrics {

    public static final String EVENTS_CONSUMED = "presence.events.consumed";
    public static final String EVENTS_REJECTED = "presence.events.rejected";
    public static final String EVENTS_SUPERSEDED = "presence.events.superseded";
    public static final String EVENTS_DEAD_LETTERED = "presence.events.dead.lettered";
    public static final String EVENTS_STALE = "presence.events.stale";
    public static final String ROWS_WRITTEN = "presence.rows.written";
    public static final String EVENT_DELAY = "presence.event.delay";
    public static final String BATCH_RECORDS = "presence.batch.records";
    public static final String BATCH_WRITE = "presence.batch.write";
    public static final String RECORDS_LAG = "presence.records.lag";
    public static final String BATCH_RETRIES = "presence.batch.retries";
    public static final String PARTITIONS_FENCED = "presence.partitions.fenced";
    public static final String RECORDS_LOST = "presence.records.lost";
    public static final String WAITING = "presence.waiting";

    /** The delay histogram's bucket bounds: sub-second delivery in detail, then replay and outage scale. */
    static final Duration[] DELAY_BUCKETS = Stream.of(5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000,
            60_000, 300_000, 900_000, 3_600_000).map(Duration::ofMillis).toArray(Duration[]::new);

    private final MeterRegistry registry;
    private final Counter consumed;
    private final Counter superseded;
    private final Counter inserted;
    private final Counter updated;
    private final Counter deleted;
    private final Counter seen;
    private final Counter stale;
    private final Timer delay;
    private final DistributionSummary batchRecords;
    private final AtomicLong lag = new AtomicLong();
    private final Counter retries;
    private final Counter fenced;
    private final Counter lost;
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
        inserted = rowsWritten(registry, "insert");
        updated = rowsWritten(registry, "update");
        deleted = rowsWritten(registry, "delete");
        // rows whose only change is last_seen: a heartbeat, or a status change too old to apply
        seen = rowsWritten(registry, "seen");
        stale = Counter.builder(EVENTS_STALE)
                .description("status events that changed no status: older than the row (or the same event again)")
                .register(registry);
        // fixed buckets, not client-side percentiles: they add up across instances in Prometheus
        delay = Timer.builder(EVENT_DELAY).description("from the ts of the oldest event a batch applies to the commit of"
                        + " the batch, once per batch (stale and replayed events included)")
                .serviceLevelObjectives(DELAY_BUCKETS).register(registry);
        batchRecords = DistributionSummary.builder(BATCH_RECORDS).description("records per batch").baseUnit("records")
                .register(registry);
        Gauge.builder(RECORDS_LAG, lag, AtomicLong::get)
                .description("records behind the end of the assigned partitions, as of the last poll")
                .register(registry);
        retries = Counter.builder(BATCH_RETRIES)
                .description("batch attempts that failed on the infrastructure and were kept for a retry")
                .register(registry);
        fenced = Counter.builder(PARTITIONS_FENCED)
                .description("batches refused because the stored partition position moved (rebalance or restore)")
                .register(registry);
        lost = Counter.builder(RECORDS_LOST)
                .description("records removed from the log (retention, delete-records) before the group applied them")
                .register(registry);
        batchWrite = Timer.builder(BATCH_WRITE).description("time to write and commit one batch").register(registry);
        for (Rejection r : Rejection.values()) {
            rejected.put(r, Counter.builder(EVENTS_REJECTED).tag("reason", r.code())
                    .description("records that are not valid presence events").register(registry));
            deadLetteredCounter(r.code());
        }
        // every known reason exported from the start at 0: a series that first appears at 1 shows Prometheus no
        // increase, and an alert on the first dead letter after a start would never fire
        deadLetteredCounter(DeadLetter.DATABASE_REJECTED);
    }

    /**
     * Exports {@code waiting} as {@value #WAITING}: 1 while the consumer waits for the database or the dead-letter
     * topic (what {@code /health/ready} answers 503 for), else 0.
     */
    public void waiting(BooleanSupplier waiting) {
        // held strongly: a gauge holds its object weakly, and nothing else may hold this one
        Gauge.builder(WAITING, waiting, w -> w.getAsBoolean() ? 1 : 0).strongReference(true)
                .description("1 while the consumer waits for the database or the dead-letter topic, else 0")
                .register(registry);
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
        deadLetteredCounter(reason).increment();
    }

    private Counter deadLetteredCounter(String reason) {
        return deadLettered.computeIfAbsent(reason, r -> Counter.builder(EVENTS_DEAD_LETTERED).tag("reason", r)
                .description("records sent to the dead-letter topic").register(registry));
    }

    public void superseded(long n) {
        superseded.increment(n);
    }

    private static Counter rowsWritten(MeterRegistry registry, String kind) {
        return Counter.builder(ROWS_WRITTEN).tag("kind", kind).description("rows changed by committed batches")
                .register(registry);
    }

    public void written(WriteResult result) {
        inserted.increment(result.inserted());
        updated.increment(result.updated());
        deleted.increment(result.deleted());
        seen.increment(result.seen());
        stale.increment(result.unchanged());
    }

    /** Records one batch's delay: from the ts of its oldest change to its commit. */
    public void delay(long eventTs, long committedAt) {
        delay.record(Math.max(0, committedAt - eventTs), TimeUnit.MILLISECONDS);
    }

    public void batch(int records) {
        batchRecords.record(records);
    }

    public void lag(long records) {
        lag.set(records);
    }

    public void retried() {
        retries.increment();
    }

    public void fenced() {
        fenced.increment();
    }

    public void lost(long records) {
        lost.increment(records);
    }

    public Timer batchWrite() {
        return batchWrite;
    }

    /** Running totals for the periodic summary line. */
    public Totals totals() {
        double dead = deadLettered.values().stream().mapToDouble(Counter::count).sum();
        long applied = (long) (inserted.count() + updated.count() + deleted.count() + seen.count());
        return new Totals((long) consumed.count(), applied, (long) stale.count(), (long) dead, lag.get());
    }

    /** Counts since the service started, and the current lag. */
    public record Totals(long consumed, long applied, long stale, long deadLettered, long lag) {
    }
}

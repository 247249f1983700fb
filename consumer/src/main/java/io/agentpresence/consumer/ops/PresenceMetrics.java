package io.agentpresence.consumer.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.agentpresence.model.Rejection;
import java.util.EnumMap;
import java.util.Map;

/**
 * Every meter the consumer records, named in one place: lowercase, dotted, with descriptions, and tags of
 * bounded cardinality only (never a userId).
 */
public final class PresenceMetrics {

    public static final String EVENTS_CONSUMED = "presence.events.consumed";
    public static final String EVENTS_REJECTED = "presence.events.rejected";
    public static final String EVENTS_SUPERSEDED = "presence.events.superseded";
    public static final String CHANGES_WRITTEN = "presence.changes.written";
    public static final String BATCH_WRITE = "presence.batch.write";
    public static final String WRITE_FAILURES = "presence.write.failures";

    private final Counter consumed;
    private final Counter superseded;
    private final Counter upserts;
    private final Counter deletes;
    private final Counter writeFailures;
    private final Timer batchWrite;
    private final Map<Rejection, Counter> rejected = new EnumMap<>(Rejection.class);

    public PresenceMetrics(MeterRegistry registry) {
        consumed = Counter.builder(EVENTS_CONSUMED).description("records polled from the presence topic")
                .register(registry);
        superseded = Counter.builder(EVENTS_SUPERSEDED)
                .description("valid events dropped in a batch because a newer one for the same user was in it")
                .register(registry);
        upserts = Counter.builder(CHANGES_WRITTEN).tag("kind", "upsert")
                .description("changes sent to the database in committed batches").register(registry);
        deletes = Counter.builder(CHANGES_WRITTEN).tag("kind", "delete")
                .description("changes sent to the database in committed batches").register(registry);
        writeFailures = Counter.builder(WRITE_FAILURES).description("batch writes that failed and will be retried")
                .register(registry);
        batchWrite = Timer.builder(BATCH_WRITE).description("time to write and commit one batch").register(registry);
        for (Rejection r : Rejection.values()) {
            rejected.put(r, Counter.builder(EVENTS_REJECTED).tag("reason", r.code())
                    .description("records that are not valid presence events").register(registry));
        }
    }

    public void consumed(int n) {
        consumed.increment(n);
    }

    public void rejected(Rejection reason) {
        rejected.get(reason).increment();
    }

    public void superseded(long n) {
        superseded.increment(n);
    }

    public void written(long upsertCount, long deleteCount) {
        upserts.increment(upsertCount);
        deletes.increment(deleteCount);
    }

    public void writeFailed() {
        writeFailures.increment();
    }

    public Timer batchWrite() {
        return batchWrite;
    }
}

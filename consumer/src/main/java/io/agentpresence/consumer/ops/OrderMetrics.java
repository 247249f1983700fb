package io.agentpresence.consumer.ops;

import io.agentpresence.model.Rejection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * Every meter the order stage records beside the Kafka Streams metrics, named in one place like
 * {@link FoldMetrics}. {@value #RECORDS_DROPPED} is where late events show: raw records that are no newer state
 * and so never reach the presence topic. Under exactly-once an aborted transaction is processed again, so these
 * counters may count its records twice; the topics never do.
 */
public final class OrderMetrics {

    public static final String RECORDS_READ = "presence.order.records.read";
    public static final String RECORDS_FORWARDED = "presence.order.records.forwarded";
    public static final String RECORDS_DROPPED = "presence.order.records.dropped";
    public static final String RECORDS_REJECTED = "presence.order.records.rejected";
    public static final String RECORDS_REFUSED = "presence.order.records.refused";

    /** What a valid raw record was, and what a forwarded one is. */
    public enum Kind { STATUS, HEARTBEAT, TOMBSTONE }

    /** Why a valid raw record was not passed on. */
    public enum Dropped {
        /** Older than the user's stored statement, or a heartbeat no newer than the user's last one. */
        STALE,
        /** The same statement as the stored one: it would change nothing. */
        DUPLICATE,
        /** A statement no newer than the user's newest deletion, or a deletion older than the newest one. */
        DELETED,
        /** A bare heartbeat of a user with no status: there is no row for it to raise. */
        NO_STATUS
    }

    private final Map<Kind, Counter> read = new EnumMap<>(Kind.class);
    private final Map<Kind, Counter> forwarded = new EnumMap<>(Kind.class);
    private final Map<Dropped, Counter> dropped = new EnumMap<>(Dropped.class);
    private final Map<Rejection, Counter> rejected = new EnumMap<>(Rejection.class);
    private final Map<FoldMetrics.Dropped, Counter> refused = new EnumMap<>(FoldMetrics.Dropped.class);

    public OrderMetrics(MeterRegistry registry) {
        for (Kind k : Kind.values()) {
            read.put(k, Counter.builder(RECORDS_READ).tag("kind", tag(k))
                    .description("valid records read from the raw topic").register(registry));
            forwarded.put(k, Counter.builder(RECORDS_FORWARDED).tag("kind", tag(k))
                    .description("newer states written to the presence topic").register(registry));
        }
        for (Dropped d : Dropped.values()) {
            dropped.put(d, Counter.builder(RECORDS_DROPPED).tag("reason", tag(d))
                    .description("valid raw records that are no newer state (late or repeated), not passed on")
                    .register(registry));
        }
        for (Rejection r : Rejection.values()) {
            rejected.put(r, Counter.builder(RECORDS_REJECTED).tag("reason", r.code())
                    .description("raw records that are not valid events, sent to the dead-letter topic")
                    .register(registry));
        }
        for (FoldMetrics.Dropped d : FoldMetrics.Dropped.values()) {
            refused.put(d, Counter.builder(RECORDS_REFUSED).tag("reason", tag(d))
                    .description("output records the broker refused for good (too large, invalid), skipped")
                    .register(registry));
        }
    }

    /** An enum constant as a tag value: lower case, words joined by hyphens. */
    private static String tag(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public void read(Kind kind) {
        read.get(kind).increment();
    }

    public void forwarded(Kind kind) {
        forwarded.get(kind).increment();
    }

    public void dropped(Dropped reason) {
        dropped.get(reason).increment();
    }

    public void rejected(Rejection reason) {
        rejected.get(reason).increment();
    }

    public void refused(FoldMetrics.Dropped reason) {
        refused.get(reason).increment();
    }
}

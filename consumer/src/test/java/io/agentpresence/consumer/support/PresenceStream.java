package io.agentpresence.consumer.support;

import io.agentpresence.consumer.support.PresenceTable.Row;
import io.agentpresence.model.PresenceEvent;
import io.agentpresence.model.PresencePublisher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A reproducible stream of presence events over a set of users, the table it must produce, and a sender that
 * publishes a slice of it at a steady pace on a thread of its own.
 */
public final class PresenceStream {

    private static final List<String> STATUSES = List.of("online", "away", "busy", "offline");
    private static final int PACE_EVERY = 50;

    private final List<PresenceEvent> events;

    private PresenceStream(List<PresenceEvent> events) {
        this.events = events;
    }

    /** Event times come from a narrow range, so a user's events often tie and the tie rule is exercised. */
    public static PresenceStream random(long seed, int count, int users) {
        Random random = new Random(seed);
        List<PresenceEvent> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            events.add(new PresenceEvent("user-" + random.nextInt(users), STATUSES.get(random.nextInt(STATUSES.size())),
                    1 + random.nextInt(2_000), "s" + i));
        }
        return new PresenceStream(List.copyOf(events));
    }

    public int size() {
        return events.size();
    }

    /** The table the whole stream must leave, by the rule (see {@link PresenceModel}). */
    public Map<String, Row> expectedRows() {
        return expectedRows(events.size());
    }

    /** The table the first {@code count} events must leave, for a stream stopped early by {@link Sending#cancel()}. */
    public Map<String, Row> expectedRows(int count) {
        PresenceModel model = new PresenceModel();
        events.subList(0, count).forEach(model::published);
        return model.rows();
    }

    /** Publishes events {@code [from, to)} spread evenly over {@code over} (zero: as fast as possible). */
    public Sending publish(PresencePublisher publisher, int from, int to, Duration over) {
        Sending sending = new Sending();
        Thread thread = new Thread(() -> sending.run(publisher, events.subList(from, to), over), "presence-stream");
        thread.setDaemon(true);
        thread.start();
        return sending;
    }

    /** One slice being published; {@link #published()} counts events handed to the producer. */
    public static final class Sending {

        private final AtomicInteger published = new AtomicInteger();
        private final CompletableFuture<Void> acknowledged = new CompletableFuture<>();
        private volatile boolean cancelled;

        private void run(PresencePublisher publisher, List<PresenceEvent> slice, Duration over) {
            try {
                long start = System.nanoTime();
                List<CompletableFuture<?>> acks = new ArrayList<>(slice.size());
                for (int i = 0; i < slice.size() && !cancelled; i++) {
                    acks.add(publisher.publish(slice.get(i)));
                    published.incrementAndGet();
                    if (i % PACE_EVERY == PACE_EVERY - 1) {
                        long due = start + over.toNanos() * (i + 1) / slice.size();
                        long early = due - System.nanoTime();
                        if (early > 0) {
                            TimeUnit.NANOSECONDS.sleep(early);
                        }
                    }
                }
                CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get();
                acknowledged.complete(null);
            } catch (Exception e) {
                // handed to whoever awaits the acknowledgements
                acknowledged.completeExceptionally(e);
            }
        }

        public int published() {
            return published.get();
        }

        public boolean isDone() {
            return acknowledged.isDone();
        }

        /** Waits until the broker acknowledged every event of the slice; rethrows a failed send. */
        public void awaitAcknowledged(Duration timeout) throws Exception {
            acknowledged.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        /** Stops handing out events (for tear-down); what was sent stays sent. */
        public void cancel() {
            cancelled = true;
        }
    }
}

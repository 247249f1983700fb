package io.agentpresence.consumer.support;

import io.agentpresence.consumer.rule.ExpectedTable;
import io.agentpresence.consumer.sink.PresenceChange;
import io.agentpresence.model.PresenceEvent;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Random presence histories for the property tests, and the ways they reach the writers: a few users, event
 * times from a narrow range (so late, duplicate and tied events are common), status events, heartbeats with
 * and without a status, deletions, and a small set of sources including none. Everything is built from jqwik
 * arbitraries, so a failing history shrinks to a minimal one.
 */
public final class Histories {

    /** Event times are drawn from 1 to this: with up to 30 events, most times occur more than once. */
    public static final long MAX_TS = 8;
    public static final int MAX_EVENTS = 30;
    private static final List<String> STATUSES = List.of("online", "away", "busy", "offline");

    private Histories() {
    }

    /** What an event asks of the table. */
    public enum Type {
        STATUS, CONFIRMING_HEARTBEAT, HEARTBEAT, DELETION
    }

    /** One event of a history, as published; the consumer numbers it when it reads it. */
    public record Event(Type type, String userId, String status, long ts, String source) {

        static Event of(Type type, String userId, String status, long ts, String source) {
            return switch (type) {
                case STATUS, CONFIRMING_HEARTBEAT -> new Event(type, userId, status, ts, source);
                case HEARTBEAT -> new Event(type, userId, null, ts, source);
                case DELETION -> new Event(type, userId, null, ts, null);
            };
        }

        /** The change the consumer makes of it, {@code sequence}-th in its batch. */
        public PresenceChange change(long sequence) {
            return switch (type) {
                case STATUS -> new PresenceChange(userId, status, ts, source, sequence);
                case CONFIRMING_HEARTBEAT, HEARTBEAT -> PresenceChange.heartbeat(userId, status, ts, source, sequence);
                case DELETION -> PresenceChange.delete(userId, ts, sequence);
            };
        }

        /** The event as published (a deletion is a tombstone and has none). */
        public PresenceEvent event() {
            return switch (type) {
                case STATUS -> new PresenceEvent(userId, status, ts, source);
                case CONFIRMING_HEARTBEAT, HEARTBEAT ->
                        new PresenceEvent(PresenceEvent.Kind.HEARTBEAT, userId, status, ts, source, null);
                case DELETION -> throw new IllegalStateException("a deletion is published as a tombstone");
            };
        }

        /** The same event {@code by} milliseconds later. */
        public Event later(long by) {
            return new Event(type, userId, status, ts + by, source);
        }

        @Override
        public String toString() {
            String from = source == null ? "" : " from " + source;
            return switch (type) {
                case STATUS -> userId + " " + status + "@" + ts + from;
                case CONFIRMING_HEARTBEAT -> userId + " heartbeat(" + status + ")@" + ts + from;
                case HEARTBEAT -> userId + " heartbeat@" + ts + from;
                case DELETION -> userId + " deleted@" + ts;
            };
        }
    }

    /** Events of one writer (lane), written as one transaction. */
    public record Batch(int lane, List<Event> events) {
    }

    /** Histories of 2 to 4 users and up to {@value #MAX_EVENTS} events. */
    public static Arbitrary<List<Event>> histories() {
        return Arbitraries.integers().between(2, 4).flatMap(users -> events(users).list().ofMaxSize(MAX_EVENTS));
    }

    private static Arbitrary<Event> events(int users) {
        Arbitrary<Type> type = Arbitraries.frequency(Tuple.of(5, Type.STATUS), Tuple.of(2, Type.CONFIRMING_HEARTBEAT),
                Tuple.of(2, Type.HEARTBEAT), Tuple.of(1, Type.DELETION));
        Arbitrary<String> user = Arbitraries.integers().between(1, users).map(i -> "u" + i);
        Arbitrary<String> status = Arbitraries.of(STATUSES);
        Arbitrary<Long> ts = Arbitraries.longs().between(1, MAX_TS);
        Arbitrary<String> source = Arbitraries.of("a", "b").injectNull(0.3);
        return Combinators.combine(type, user, status, ts, source).as(Event::of);
    }

    /** Batch sizes, used in turn; whatever is left after the last goes in one more batch. */
    public static Arbitrary<List<Integer>> batchSizes() {
        return Arbitraries.integers().between(1, 10).list().ofMaxSize(MAX_EVENTS);
    }

    /** Which lane (0 or 1) each event of a history takes, by position; events past the end take lane 0. */
    public static Arbitrary<List<Integer>> lanes() {
        return Arbitraries.integers().between(0, 1).list().ofMaxSize(MAX_EVENTS);
    }

    /** Which lane writes its next batch, in turn (true: lane 1); when one lane has no batches left, the other. */
    public static Arbitrary<List<Boolean>> turns() {
        return Arbitraries.of(false, true).list().ofMaxSize(2 * MAX_EVENTS);
    }

    /** The events of {@code history} that {@code lanes} sends to {@code lane}, in their order. */
    public static List<Event> lane(List<Event> history, List<Integer> lanes, int lane) {
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < history.size(); i++) {
            if ((i < lanes.size() ? lanes.get(i) : 0) == lane) {
                events.add(history.get(i));
            }
        }
        return events;
    }

    /** {@code events} cut into consecutive batches of {@code sizes}, order kept. */
    public static List<Batch> split(int lane, List<Event> events, List<Integer> sizes) {
        List<Batch> batches = new ArrayList<>();
        int from = 0;
        for (int size : sizes) {
            if (from >= events.size()) {
                return batches;
            }
            int to = Math.min(events.size(), from + size);
            batches.add(new Batch(lane, List.copyOf(events.subList(from, to))));
            from = to;
        }
        if (from < events.size()) {
            batches.add(new Batch(lane, List.copyOf(events.subList(from, events.size()))));
        }
        return batches;
    }

    /** The batches of two lanes in one order of writing: each lane's own order kept, {@code turns} choosing. */
    public static List<Batch> interleave(List<Batch> first, List<Batch> second, List<Boolean> turns) {
        List<Batch> written = new ArrayList<>();
        int a = 0;
        int b = 0;
        int turn = 0;
        while (a < first.size() || b < second.size()) {
            boolean secondNext = turn < turns.size() && turns.get(turn);
            turn++;
            if (b < second.size() && (secondNext || a == first.size())) {
                written.add(second.get(b++));
            } else {
                written.add(first.get(a++));
            }
        }
        return written;
    }

    /** The table the rule gives for the batches' events, applied in the order the batches were written. */
    public static ExpectedTable model(List<Batch> written) {
        ExpectedTable model = new ExpectedTable();
        long sequence = 0;
        for (Batch batch : written) {
            for (Event event : batch.events()) {
                model.apply(event.change(sequence++));
            }
        }
        return model;
    }
}

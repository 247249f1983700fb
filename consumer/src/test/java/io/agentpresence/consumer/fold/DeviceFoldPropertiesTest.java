package io.agentpresence.consumer.fold;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentpresence.consumer.ops.FoldMetrics.Emitted;
import io.agentpresence.consumer.rule.ExpectedTable;
import io.agentpresence.consumer.sink.PresenceChange;
import io.agentpresence.model.PresenceEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * The fold's output obeys the rule of which event wins without ties: for random device histories (statuses,
 * heartbeats with and without a status, the fold's clock running on, sweeps that expire devices, deletions),
 * every status the fold emits for a user (a status event, an expiry's {@code offline}, a heartbeat confirming a
 * status other than the one in place) is strictly newer than everything emitted for the user before it. A tie
 * would be decided by the rule's order of statuses, not by the fold's order, and the table could keep the status
 * the fold has left; so the table the rule gives for the output must hold the status the fold emitted last.
 */
class DeviceFoldPropertiesTest {

    private static final String USER = "u1";
    private static final long TTL_MS = 10;
    private static final long MAX_TS = 8;
    private static final List<String> STATUSES = List.of("online", "away", "busy", "offline");

    /** One thing that happens to the fold, in the order it happens. */
    sealed interface Step permits Heard, Wait, Sweep, Deleted {
    }

    /** A device event: a status, or a heartbeat with or without the status it confirms. */
    record Heard(String device, boolean heartbeat, String status, long ts, String source) implements Step {
        PresenceEvent event() {
            return new PresenceEvent(heartbeat ? PresenceEvent.Kind.HEARTBEAT : PresenceEvent.Kind.STATUS, USER,
                    status, ts, source, device);
        }

        @Override
        public String toString() {
            String said = heartbeat ? (status == null ? "heartbeat" : "heartbeat(" + status + ")") : status;
            return (device == null ? "(no device)" : device) + " " + said + "@" + ts
                    + (source == null ? "" : " from " + source);
        }
    }

    /** The fold's wall clock moves on. */
    record Wait(long ms) implements Step {
        @Override
        public String toString() {
            return "wait " + ms + "ms";
        }
    }

    /** A sweep expires the devices silent for the TTL. */
    record Sweep() implements Step {
        @Override
        public String toString() {
            return "sweep";
        }
    }

    /** A tombstone of the user, with its record timestamp. */
    record Deleted(long ts) implements Step {
        @Override
        public String toString() {
            return "tombstone@" + ts;
        }
    }

    /** What the fold wrote to the presence topic for the user. */
    record Output(String what, String status, long ts, String source) {
        boolean isStatement() {
            return status != null;
        }

        PresenceChange change(long sequence) {
            return switch (what) {
                case "tombstone" -> PresenceChange.delete(USER, ts, sequence);
                case "heartbeat" -> PresenceChange.heartbeat(USER, status, ts, source, sequence);
                default -> new PresenceChange(USER, status, ts, source, sequence);
            };
        }

        @Override
        public String toString() {
            return what + (status == null ? "" : " " + status) + "@" + ts + (source == null ? "" : " from " + source);
        }
    }

    @Provide
    Arbitrary<List<Step>> histories() {
        Arbitrary<String> device = Arbitraries.of("phone", "laptop", "tablet").injectNull(0.2);
        Arbitrary<Long> ts = Arbitraries.longs().between(1, MAX_TS);
        Arbitrary<String> status = Arbitraries.of(STATUSES);
        Arbitrary<String> source = Arbitraries.of("a", "b").injectNull(0.5);
        Arbitrary<Step> statusEvent = Combinators.combine(device, status, ts, source)
                .as((d, s, t, from) -> new Heard(d, false, s, t, from));
        Arbitrary<Step> heartbeat = Combinators.combine(device, status.injectNull(0.5), ts, source)
                .as((d, s, t, from) -> new Heard(d, true, s, t, from));
        Arbitrary<Step> wait = Arbitraries.longs().between(1, 2 * TTL_MS).map(Wait::new);
        Arbitrary<Step> deleted = ts.map(Deleted::new);
        Arbitrary<Step> step = Arbitraries.frequencyOf(Tuple.of(5, statusEvent), Tuple.of(3, heartbeat),
                Tuple.of(3, wait), Tuple.of(2, Arbitraries.just(new Sweep())), Tuple.of(1, deleted));
        return step.list().ofMaxSize(30);
    }

    /**
     * A statement that changes the status is strictly newer than everything emitted before it (the deletion included),
     * so it wins by its ts alone; one that confirms the status in place (a heartbeat) is never older.
     */
    @Property(tries = 500)
    void everyStatusTheFoldEmitsIsStrictlyNewerThanWhatItEmittedBefore(@ForAll("histories") List<Step> history) {
        FoldRun run = new FoldRun();
        history.forEach(run::step);

        List<Output> outputs = run.outputs();
        long newest = Long.MIN_VALUE;
        String inPlace = null;
        for (int i = 0; i < outputs.size(); i++) {
            Output output = outputs.get(i);
            if (output.what().equals("tombstone")) {
                newest = Math.max(newest, output.ts());
                inPlace = null;
            } else if (output.isStatement()) {
                if (output.status().equals(inPlace)) {
                    assertThat(output.ts()).as("%s after %s", output, outputs.subList(0, i))
                            .isGreaterThanOrEqualTo(newest);
                } else {
                    assertThat(output.ts()).as("%s after %s", output, outputs.subList(0, i)).isGreaterThan(newest);
                }
                newest = Math.max(newest, output.ts());
                inPlace = output.status();
            }
        }
    }

    /** Whatever the ties, what the consumer makes of the fold's output is the status the fold last emitted. */
    @Property(tries = 500)
    void theTableTheRuleGivesForTheFoldsOutputHoldsTheStatusTheFoldEmittedLast(
            @ForAll("histories") List<Step> history) {
        FoldRun run = new FoldRun();
        for (Step step : history) {
            run.step(step);

            String emitted = run.user.emittedStatus();
            if (emitted != null) {
                assertThat(run.table().row(USER).map(ExpectedTable.Row::status))
                        .as("the table for %s after %s", run.outputs(), step).contains(emitted);
            }
        }
    }

    /** One user's history run through the fold as its processor runs it (the task started at 0), with its output. */
    private static final class FoldRun {

        // at most two devices, so a third one evicts; users are never forgotten within a history
        private final DeviceFold fold = new DeviceFold(new Precedence(List.of("online", "busy", "away")),
                Duration.ofMillis(TTL_MS), true, Duration.ofDays(1), 2);
        private final UserPresence user = new UserPresence();
        private final List<Output> outputs = new ArrayList<>();
        private long now;

        void step(Step step) {
            if (step instanceof Heard heard) {
                user.heardAt(now);
                emitted(fold.apply(user, heard.event(), now));
            } else if (step instanceof Wait wait) {
                now += wait.ms();
            } else if (step instanceof Sweep) {
                // the processor's sweep does nothing before a TTL has passed since the task started
                if (now >= TTL_MS) {
                    emitted(fold.expire(USER, user, now, 0));
                }
            } else if (step instanceof Deleted deleted) {
                user.heardAt(now);
                user.forget(deleted.ts());
                outputs.add(new Output("tombstone", null, deleted.ts(), null));
            }
        }

        private void emitted(Outcome outcome) {
            PresenceEvent event = outcome.emit();
            if (event == null) {
                return;
            }
            String what = outcome.reason() == Emitted.EXPIRY ? "expiry" : event.isHeartbeat() ? "heartbeat" : "status";
            outputs.add(new Output(what, event.status(), event.ts(), event.source()));
        }

        List<Output> outputs() {
            return List.copyOf(outputs);
        }

        /** The table the rule gives for the output so far, as the consumer would write it. */
        ExpectedTable table() {
            ExpectedTable table = new ExpectedTable();
            long sequence = 0;
            for (Output output : outputs) {
                table.apply(output.change(sequence++));
            }
            return table;
        }
    }
}

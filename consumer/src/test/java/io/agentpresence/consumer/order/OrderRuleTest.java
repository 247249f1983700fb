package io.agentpresence.consumer.order;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentpresence.consumer.ops.OrderMetrics;
import io.agentpresence.consumer.rule.ExpectedTable;
import io.agentpresence.consumer.sink.StatementOrder;
import io.agentpresence.consumer.sink.PresenceChange;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The order stage's rule, without Kafka: which records pass, and the promise they keep. Whatever a user's history,
 * the records passed on are strictly increasing under the rule, so the last one alone (all compaction leaves) gives
 * the same row as all of them.
 */
class OrderRuleTest {

    /** Runs changes through the rule as {@link OrderProcessor} does; what passed, in order, as the consumer reads it. */
    private static final class Stage {
        private final Map<String, UserOrder> users = new LinkedHashMap<>();
        private final List<PresenceChange> passed = new ArrayList<>();
        private final List<OrderMetrics.Dropped> dropped = new ArrayList<>();

        Stage apply(PresenceChange change) {
            UserOrder user = users.getOrDefault(change.userId(), UserOrder.NONE);
            OrderRule.Step step = switch (change.kind()) {
                case DELETE -> OrderRule.deletion(user, change.ts());
                case STATUS -> OrderRule.statement(user, change.ts(), change.status(), change.source());
                case HEARTBEAT -> change.confirmsStatus()
                        ? OrderRule.statement(user, change.ts(), change.status(), change.source())
                        : OrderRule.heartbeat(user, change.ts(), change.source());
            };
            users.put(change.userId(), step.next());
            if (!step.forwards()) {
                dropped.add(step.dropped());
            } else if (change.isHeartbeat() && !change.confirmsStatus()) {
                passed.add(PresenceChange.heartbeat(change.userId(), step.next().statement().status(), change.ts(),
                        change.source(), 0));
            } else {
                passed.add(change);
            }
            return this;
        }

        Stage apply(List<PresenceChange> changes) {
            changes.forEach(this::apply);
            return this;
        }
    }

    private static PresenceChange status(String user, String status, long ts) {
        return new PresenceChange(user, status, ts, "plugin", 0);
    }

    private static PresenceChange delete(String user, long ts) {
        return PresenceChange.delete(user, ts, 0);
    }

    private static PresenceChange heartbeat(String user, long ts) {
        return PresenceChange.heartbeat(user, ts, 0);
    }

    @Test
    void aLateOlderStatusIsDroppedSoTheNewerOneStaysTheLastRecord() {
        Stage stage = new Stage().apply(List.of(status("u", "online", 20), status("u", "away", 10)));

        assertThat(stage.passed).containsExactly(status("u", "online", 20));
        assertThat(stage.dropped).containsExactly(OrderMetrics.Dropped.STALE);
    }

    @Test
    void aLateStatusOlderThanADeletionIsDroppedSoTheDeletedUserDoesNotComeBack() {
        Stage stage = new Stage().apply(List.of(status("u", "online", 20), delete("u", 30), status("u", "online", 25),
                status("u", "away", 30)));

        assertThat(stage.passed).containsExactly(status("u", "online", 20), delete("u", 30));
        assertThat(stage.dropped).containsExactly(OrderMetrics.Dropped.DELETED, OrderMetrics.Dropped.DELETED);
    }

    @Test
    void aDeletionOlderThanTheStoredStatusIsNotPassedOnButStillGuardsAgainstOlderStatuses() {
        Stage stage = new Stage().apply(List.of(status("u", "online", 20), delete("u", 10), status("u", "away", 5)));

        assertThat(stage.passed).containsExactly(status("u", "online", 20));
        assertThat(stage.users.get("u").deletedTs()).isEqualTo(10);
        assertThat(stage.dropped).containsExactly(OrderMetrics.Dropped.STALE, OrderMetrics.Dropped.DELETED);
    }

    @Test
    void onEqualTimesTheRuleDecidesOfflineFirstAndAnExactRepeatIsDropped() {
        Stage stage = new Stage().apply(List.of(status("u", "online", 10), status("u", "offline", 10),
                status("u", "online", 10), status("u", "offline", 10), delete("u", 10)));

        assertThat(stage.passed).containsExactly(status("u", "online", 10), status("u", "offline", 10),
                delete("u", 10));
        assertThat(stage.dropped).containsExactly(OrderMetrics.Dropped.STALE, OrderMetrics.Dropped.DUPLICATE);
    }

    @Test
    void aNewerBareHeartbeatPassesCarryingTheStatusAndAnOlderOneOrOneWithoutStatusIsDropped() {
        Stage stage = new Stage().apply(List.of(heartbeat("u", 5), status("u", "busy", 10), heartbeat("u", 15),
                heartbeat("u", 12), status("u", "away", 14)));

        assertThat(stage.passed).containsExactly(status("u", "busy", 10),
                PresenceChange.heartbeat("u", "busy", 15, null, 0));
        // the status at 14 is older than the heartbeat passed on at 15, which the consumer took as busy at 15
        assertThat(stage.dropped).containsExactly(OrderMetrics.Dropped.NO_STATUS, OrderMetrics.Dropped.STALE,
                OrderMetrics.Dropped.STALE);
    }

    @Test
    void aDeletionOfAUserWithoutStatusPassesOnlyWhenNewerThanTheLastDeletion() {
        Stage stage = new Stage().apply(List.of(delete("u", 10), delete("u", 5), delete("u", 10), delete("u", 12)));

        assertThat(stage.passed).containsExactly(delete("u", 10), delete("u", 12));
    }

    @Test
    void forAnyHistoryThePassedRecordsIncreaseAndTheLastAloneGivesTheRowOfAll() {
        Random random = new Random(11);
        String[] statuses = {"online", "away", "busy", "offline"};
        String[] sources = {null, "a", "b"};
        for (int round = 0; round < 2_000; round++) {
            List<PresenceChange> history = new ArrayList<>();
            int size = 1 + random.nextInt(12);
            for (int i = 0; i < size; i++) {
                long ts = random.nextInt(8);
                switch (random.nextInt(4)) {
                    case 0 -> history.add(delete("u", ts));
                    case 1 -> history.add(heartbeat("u", ts));
                    case 2 -> history.add(PresenceChange.heartbeat("u", statuses[random.nextInt(4)], ts,
                            sources[random.nextInt(3)], 0));
                    default -> history.add(new PresenceChange("u", statuses[random.nextInt(4)], ts,
                            sources[random.nextInt(3)], 0));
                }
            }
            List<PresenceChange> passed = new Stage().apply(history).passed;

            for (int i = 1; i < passed.size(); i++) {
                assertThat(newer(passed.get(i), passed.get(i - 1))).as("%s after %s in %s", passed.get(i),
                        passed.get(i - 1), history).isTrue();
            }
            ExpectedTable live = new ExpectedTable();
            passed.forEach(live::apply);
            ExpectedTable compacted = new ExpectedTable();
            if (!passed.isEmpty()) {
                compacted.apply(passed.get(passed.size() - 1));
            }
            assertThat(compacted.rows()).as("history %s", history).isEqualTo(live.rows());
        }
    }

    /** True when {@code later} is a newer state than {@code earlier} under the rule. */
    static boolean newer(PresenceChange later, PresenceChange earlier) {
        if (later.isDelete()) {
            return earlier.isDelete() ? later.ts() > earlier.ts() : StatementOrder.deletionWins(later.ts(), earlier.ts());
        }
        if (later.status() == null) {
            return false;
        }
        if (earlier.isDelete()) {
            return !StatementOrder.deletionWins(earlier.ts(), later.ts());
        }
        return StatementOrder.compare(later.ts(), later.status(), later.source(), earlier.ts(), earlier.status(),
                earlier.source()) > 0;
    }
}

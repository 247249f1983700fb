package io.agentpresence.consumer.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentpresence.consumer.config.RecreatedTopicPolicy;
import io.agentpresence.consumer.engine.PositionCheck.Start;
import io.agentpresence.consumer.ops.PresenceMetrics;
import io.agentpresence.consumer.sink.PartitionPosition;
import io.agentpresence.consumer.sink.StoredPosition;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class PositionCheckTest {

    private static final String TOPIC = "presence";
    private static final String ID = "QSdSqYvXTnWHOWR8b4nheg";
    private static final String OLD_ID = "NmCnS2CJTjeN9c97rImL4w";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final PresenceMetrics metrics = new PresenceMetrics(registry);

    private PositionCheck check(RecreatedTopicPolicy policy) {
        return new PositionCheck("group-a", policy, metrics);
    }

    /** Both partitions hold offsets 100 to 500. */
    private static TopicLog log(int partitions) {
        return new TopicLog(ID, partitions, Map.of(0, new TopicLog.Range(100, 500), 1, new TopicLog.Range(100, 500)));
    }

    private double lost() {
        return registry.counter(PresenceMetrics.RECORDS_LOST).count();
    }

    @Test
    void aPositionOfThisTopicWithinTheLogIsWhereThePartitionContinues() {
        Map<TopicPartition, Start> starts = check(RecreatedTopicPolicy.STOP).starts(List.of(P0, P1),
                Map.of(0, new StoredPosition(0, 300, ID), 1, new StoredPosition(1, 500, ID)), log(2));

        assertThat(starts).containsExactlyInAnyOrderEntriesOf(Map.of(P0, new Start(300, 300L, null),
                P1, new Start(500, 500L, null)));
        assertThat(lost()).isZero();
    }

    @Test
    void aPartitionWithoutAPositionStartsAtTheLogStart() {
        Map<TopicPartition, Start> starts = check(RecreatedTopicPolicy.STOP).starts(List.of(P0), Map.of(), log(2));

        assertThat(starts).containsExactly(Map.entry(P0, new Start(100, null, null)));
        assertThat(lost()).isZero();
    }

    @Test
    void aPositionBelowTheLogStartIsResetToTheLogStartAndTheRecordsLostAreCounted() {
        Map<TopicPartition, Start> starts = check(RecreatedTopicPolicy.STOP).starts(List.of(P0, P1),
                Map.of(0, new StoredPosition(0, 40, ID), 1, new StoredPosition(1, 90, null)), log(2));

        // the reset moves the row to the log start, so the next read does not count the same loss again
        assertThat(starts).containsExactlyInAnyOrderEntriesOf(Map.of(
                P0, new Start(100, 100L, new PartitionPosition(TOPIC, 0, ID, 40L, 100)),
                P1, new Start(100, 100L, new PartitionPosition(TOPIC, 1, ID, 90L, 100))));
        assertThat(lost()).isEqualTo(60 + 10);
    }

    @Test
    void recordsLostBelowTheLogStartAreCountedOnceHoweverOftenThePositionIsReadAgain() {
        PositionCheck check = check(RecreatedTopicPolicy.STOP);
        Map<Integer, StoredPosition> stored = new HashMap<>(Map.of(0, new StoredPosition(0, 40, ID)));

        // each read (a fence, a rebalance, a restart) sees the database as the reset before it left it
        for (int read = 0; read < 3; read++) {
            Start start = check.starts(List.of(P0), stored, log(1)).get(P0);
            if (start.reset() != null) {
                stored.put(0, new StoredPosition(0, start.reset().next(), start.reset().topicId()));
            }
        }

        assertThat(lost()).isEqualTo(60);
    }

    @Test
    void aPositionStoredBeforeTopicIdsIsTakenAsThisTopics() {
        Map<TopicPartition, Start> starts = check(RecreatedTopicPolicy.STOP).starts(List.of(P0),
                Map.of(0, new StoredPosition(0, 300, null)), log(2));

        assertThat(starts).containsExactly(Map.entry(P0, new Start(300, 300L, null)));
    }

    @Test
    void aPositionOfARecreatedTopicStopsWithTheTopicAndHowToReset() {
        PositionCheck check = check(RecreatedTopicPolicy.STOP);
        Map<Integer, StoredPosition> stored = Map.of(0, new StoredPosition(0, 300, OLD_ID),
                1, new StoredPosition(1, 50, OLD_ID));

        assertThatThrownBy(() -> check.starts(List.of(P0, P1), stored, log(2))).isInstanceOf(PositionException.class)
                .hasMessageContaining("Topic presence was deleted and recreated")
                .hasMessageContaining(OLD_ID).hasMessageContaining(ID).hasMessageContaining("partitions [0, 1]")
                .hasMessageContaining("PRESENCE_RECREATED_TOPIC_POLICY (recreated.topic.policy) = reset")
                .hasMessageContaining("DELETE FROM agent_presence_offsets WHERE group_id = 'group-a' AND topic ="
                        + " 'presence' AND topic_id <> '" + ID + "';");
        assertThat(lost()).as("a position of another log says nothing about this one's losses").isZero();
    }

    @Test
    void withTheResetPolicyARecreatedTopicIsReadFromItsStartAndTheResetIsStoredAtOnce() {
        Map<TopicPartition, Start> starts = check(RecreatedTopicPolicy.RESET).starts(List.of(P0),
                Map.of(0, new StoredPosition(0, 900, OLD_ID)), log(2));

        // 900 is beyond this log's end, but it belongs to the old log: no error, nothing counted as lost
        assertThat(starts).containsExactly(Map.entry(P0,
                new Start(100, 100L, new PartitionPosition(TOPIC, 0, ID, 900L, 100))));
        assertThat(lost()).isZero();
    }

    @Test
    void aPositionBeyondTheLogEndStopsWithThePartitionAndHowToReadItAgain() {
        PositionCheck check = check(RecreatedTopicPolicy.RESET);
        Map<Integer, StoredPosition> stored = Map.of(0, new StoredPosition(0, 300, ID), 1, new StoredPosition(1, 501, null));

        assertThatThrownBy(() -> check.starts(List.of(P0, P1), stored, log(2))).isInstanceOf(PositionException.class)
                .hasMessageContaining("presence-1 (group group-a) is 501, beyond the log end 500")
                .hasMessageContaining("DELETE FROM agent_presence_offsets WHERE group_id = 'group-a' AND topic ="
                        + " 'presence' AND kafka_partition = 1;");
    }

    @Test
    void positionsOfPartitionsTheTopicDoesNotHaveStopEvenWhenNoneOfThemIsAssigned() {
        PositionCheck check = check(RecreatedTopicPolicy.RESET);
        Map<Integer, StoredPosition> stored = Map.of(0, new StoredPosition(0, 300, ID), 2, new StoredPosition(2, 7, ID),
                5, new StoredPosition(5, 7, ID));

        assertThatThrownBy(() -> check.starts(List.of(P0), stored, log(2))).isInstanceOf(PositionException.class)
                .hasMessageContaining("partitions [2, 5] of topic presence, which has 2 partitions now")
                .hasMessageContaining("AND kafka_partition >= 2;");
    }

    @Test
    void aQuoteInTheGroupIdIsEscapedInTheSqlItSuggests() {
        PositionCheck check = new PositionCheck("o'brien", RecreatedTopicPolicy.STOP, metrics);
        Map<Integer, StoredPosition> stored = Map.of(0, new StoredPosition(0, 600, ID));

        assertThatThrownBy(() -> check.starts(List.of(P0), stored, log(2))).hasMessageContaining("group_id = 'o''brien'");
    }
}

package io.agentpresence.consumer.engine;

import io.agentpresence.consumer.sink.PartitionPosition;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * What the poll thread knows of the owned partitions' positions: the one the database holds for each, the
 * partitions whose stored position is not read yet (they stay paused), the positions written to the database
 * but not yet committed to Kafka, and when each partition was last re-positioned. Owned by the poll thread.
 */
final class PositionBook {

    /** Positions the database holds for owned partitions, as far as this instance knows (absent: none). */
    private final Map<TopicPartition, Long> stored = new HashMap<>();
    /** Owned partitions whose stored position could not be read yet. */
    private final Set<TopicPartition> unpositioned = new HashSet<>();
    /** Positions written to the database whose Kafka commit is pending or failed; Kafka's copy feeds lag tools. */
    private final Map<TopicPartition, OffsetAndMetadata> uncommitted = new HashMap<>();
    /** The re-positioning count when each partition was last sought or set to be, counted across partitions. */
    private final Map<TopicPartition, Long> movedAt = new HashMap<>();
    private long moves;

    /** Partitions whose stored position must be read before they are fetched from. */
    void needPosition(Collection<TopicPartition> partitions) {
        unpositioned.addAll(partitions);
        partitions.forEach(this::moved);
    }

    /** The partition's fetch position is about to change (a seek): what was fetched before belongs to the old one. */
    void moved(TopicPartition tp) {
        movedAt.put(tp, ++moves);
    }

    /** A mark to take when a poll returns, for {@link #isCurrent}. */
    long mark() {
        return moves;
    }

    /**
     * Whether records of {@code tp} polled at {@code mark} may be written: the partition is positioned and has
     * not been re-positioned since. Records fetched before a seek would be written against the new position.
     */
    boolean isCurrent(TopicPartition tp, long mark) {
        return !unpositioned.contains(tp) && movedAt.getOrDefault(tp, 0L) <= mark;
    }

    Set<TopicPartition> unpositioned() {
        return Set.copyOf(unpositioned);
    }

    boolean isPositioned(TopicPartition tp) {
        return !unpositioned.contains(tp);
    }

    boolean allPositioned() {
        return unpositioned.isEmpty();
    }

    /** The database holds {@code position} for {@code tp} (null: none); the partition may be fetched again. */
    void positioned(TopicPartition tp, Long position) {
        if (position == null) {
            stored.remove(tp);
        } else {
            stored.put(tp, position);
        }
        unpositioned.remove(tp);
    }

    /** A batch is written: its partitions' positions are stored, and owed to Kafka. */
    void written(Map<TopicPartition, Long> nextOffsets) {
        nextOffsets.forEach((tp, next) -> {
            stored.put(tp, next);
            uncommitted.put(tp, new OffsetAndMetadata(next));
        });
    }

    /**
     * The compare-and-set positions for a batch: from what the database holds to where the batch ends, in the
     * topic whose id is {@code topicId}.
     */
    List<PartitionPosition> positionsFor(PendingBatch batch, String topicId) {
        List<PartitionPosition> positions = new ArrayList<>();
        batch.nextOffsets().forEach((tp, next) -> {
            Long expected = stored.get(tp);
            if (expected == null || expected.longValue() != next) {
                positions.add(new PartitionPosition(tp.topic(), tp.partition(), topicId, expected, next));
            }
        });
        return positions;
    }

    boolean hasUncommitted() {
        return !uncommitted.isEmpty();
    }

    /** Hands over the positions owed to Kafka for partitions still {@code owned}; those of others are dropped. */
    Map<TopicPartition, OffsetAndMetadata> takeUncommitted(Set<TopicPartition> owned) {
        uncommitted.keySet().retainAll(owned);
        Map<TopicPartition, OffsetAndMetadata> commit = Map.copyOf(uncommitted);
        uncommitted.clear();
        return commit;
    }

    /**
     * A Kafka commit of {@code partitions} failed: queue them again with the position the database holds now,
     * never the failed one: commits may fail out of order, and a later one may already have succeeded.
     */
    void commitFailed(Collection<TopicPartition> partitions) {
        partitions.forEach(tp -> {
            Long position = stored.get(tp);
            if (position != null) {
                uncommitted.put(tp, new OffsetAndMetadata(position));
            }
        });
    }

    /** The partitions are no longer owned. */
    void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(tp -> {
            stored.remove(tp);
            unpositioned.remove(tp);
            movedAt.remove(tp);
        });
    }
}

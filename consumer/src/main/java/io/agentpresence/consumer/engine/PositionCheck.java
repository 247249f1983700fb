package io.agentpresence.consumer.engine;

import io.agentpresence.consumer.config.PresenceConsumerConfig;
import io.agentpresence.consumer.config.RecreatedTopicPolicy;
import io.agentpresence.consumer.ops.PresenceMetrics;
import io.agentpresence.consumer.sink.OffsetStore;
import io.agentpresence.consumer.sink.PartitionPosition;
import io.agentpresence.consumer.sink.StoredPosition;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Judges the positions stored for an assignment against the topic as it is now, and says where each partition
 * starts. A position belongs to one incarnation of the topic (its id) and must lie within the log: one of a
 * recreated topic stops the consumer or is reset (the configured policy), one below the log start is reset to
 * the log start with the records lost logged and counted once, and one beyond the log end, or a row of a partition
 * the topic does not have, stops the consumer with what to do. Nothing is skipped silently.
 */
public final class PositionCheck {

    private static final Logger LOG = LoggerFactory.getLogger(PositionCheck.class);

    private final String groupId;
    private final RecreatedTopicPolicy policy;
    private final PresenceMetrics metrics;

    public PositionCheck(String groupId, RecreatedTopicPolicy policy, PresenceMetrics metrics) {
        this.groupId = groupId;
        this.policy = policy;
        this.metrics = metrics;
    }

    /**
     * Where a partition starts: {@code offset} to seek to, {@code stored} the position the database holds
     * afterwards (null: none), and {@code reset} a position to store before reading (null: none).
     */
    public record Start(long offset, Long stored, PartitionPosition reset) {
    }

    /**
     * @param stored every position stored for the topic, by partition
     * @param log    the topic now, with the range of every partition in {@code partitions}
     * @throws PositionException when a stored position cannot be used; nothing is decided then
     */
    public Map<TopicPartition, Start> starts(Collection<TopicPartition> partitions, Map<Integer, StoredPosition> stored,
                                             TopicLog log) {
        String topic = partitions.iterator().next().topic();
        refuseMissingPartitions(topic, stored, log);
        List<StoredPosition> recreated = recreated(partitions.stream().map(tp -> stored.get(tp.partition()))
                .filter(Objects::nonNull).toList(), log.topicId());
        if (!recreated.isEmpty() && policy == RecreatedTopicPolicy.STOP) {
            throw new PositionException(recreatedMessage(groupId, topic, recreated, log.topicId()));
        }
        refuseBeyondEnd(topic, partitions, stored, recreated, log);
        Map<TopicPartition, Start> starts = new LinkedHashMap<>();
        for (TopicPartition tp : partitions) {
            StoredPosition position = stored.get(tp.partition());
            TopicLog.Range range = log.ranges().get(tp.partition());
            if (position == null) {
                starts.put(tp, new Start(range.start(), null, null));
            } else if (recreated.contains(position)) {
                LOG.warn("Topic {} was deleted and created again since partition {} was stored at {} (topic id {}, now"
                        + " {}); {} = reset: reading the new topic from its beginning", topic, tp.partition(),
                        position.next(), position.topicId(), log.topicId(), PresenceConsumerConfig.RECREATED_TOPIC_POLICY.name());
                starts.put(tp, resetToLogStart(tp, position, range, log.topicId()));
            } else if (position.next() < range.start()) {
                long lost = range.start() - position.next();
                LOG.warn("{}: {} records after the stored position {} were removed from the log (retention or"
                        + " delete-records) before group {} applied them; continuing from the log start {}", tp, lost,
                        position.next(), groupId, range.start());
                metrics.lost(lost);
                // stored at once, so a later read (a fence, a rebalance, a restart) does not count the loss again
                starts.put(tp, resetToLogStart(tp, position, range, log.topicId()));
            } else {
                starts.put(tp, new Start(position.next(), position.next(), null));
            }
        }
        return starts;
    }

    /**
     * Refuses positions stored for an earlier incarnation of the topic, whatever the policy: for the commands that
     * read up to the positions the group stored (rebuild, verify), which would read the new log up to offsets of the
     * old one and have no position of their own to reset.
     *
     * @param topicId the id of the topic as it is now
     * @throws PositionException when one of {@code stored} belongs to another incarnation
     */
    public static void refuseRecreated(String groupId, String topic, Collection<StoredPosition> stored,
                                       String topicId) {
        List<StoredPosition> recreated = recreated(stored, topicId);
        if (!recreated.isEmpty()) {
            throw new PositionException(recreatedMessage(groupId, topic, recreated, topicId));
        }
    }

    /** The positions stored for another incarnation; one stored before ids were recorded belongs to none. */
    private static List<StoredPosition> recreated(Collection<StoredPosition> stored, String topicId) {
        return stored.stream().filter(p -> p.topicId() != null && !p.topicId().equals(topicId)).toList();
    }

    /** Starts at the log start, stored at once as the partition's position in the topic as it is now. */
    private static Start resetToLogStart(TopicPartition tp, StoredPosition position, TopicLog.Range range,
                                         String topicId) {
        return new Start(range.start(), range.start(), new PartitionPosition(tp.topic(), tp.partition(), topicId,
                position.next(), range.start()));
    }

    private void refuseMissingPartitions(String topic, Map<Integer, StoredPosition> stored, TopicLog log) {
        List<Integer> missing = stored.keySet().stream().filter(p -> p >= log.partitionCount()).sorted().toList();
        if (!missing.isEmpty()) {
            throw new PositionException(OffsetStore.TABLE + " holds positions of group " + groupId + " for partitions "
                    + missing + " of topic " + topic + ", which has " + log.partitionCount() + " partitions now: the"
                    + " topic was recreated with fewer partitions, or the positions belong elsewhere. Check the topic;"
                    + " if these positions are obsolete, remove them: " + delete(groupId, topic, "kafka_partition >= "
                    + log.partitionCount()));
        }
    }

    private void refuseBeyondEnd(String topic, Collection<TopicPartition> partitions,
                                 Map<Integer, StoredPosition> stored, List<StoredPosition> recreated, TopicLog log) {
        for (TopicPartition tp : partitions) {
            StoredPosition position = stored.get(tp.partition());
            long end = log.ranges().get(tp.partition()).end();
            if (position != null && !recreated.contains(position) && position.next() > end) {
                throw new PositionException("The position stored for " + tp + " (group " + groupId + ") is "
                        + position.next() + ", beyond the log end " + end + ": the log lost records this group had"
                        + " applied (unclean leader election, a broker restored from an older disk) or the topic was"
                        + " recreated before topic ids were stored. Check the topic; to read the partition again from"
                        + " its beginning, remove the position: "
                        + delete(groupId, topic, "kafka_partition = " + tp.partition()));
            }
        }
    }

    private static String recreatedMessage(String groupId, String topic, List<StoredPosition> recreated,
                                           String topicId) {
        String storedIds = recreated.stream().map(StoredPosition::topicId).distinct().collect(Collectors.joining(", "));
        return "Topic " + topic + " was deleted and recreated since group " + groupId + " stored its positions"
                + " (topic id " + storedIds + " stored, " + topicId + " now; partitions "
                + recreated.stream().map(StoredPosition::partition).sorted().toList() + "): the old positions would skip"
                + " the first records of the new topic. To read the new topic from its beginning, start once with "
                + PresenceConsumerConfig.RECREATED_TOPIC_POLICY.display() + " = " + RecreatedTopicPolicy.RESET.configValue()
                + ", or remove the old positions: " + delete(groupId, topic, "topic_id <> '" + topicId + "'");
    }

    private static String delete(String groupId, String topic, String condition) {
        return "DELETE FROM " + OffsetStore.TABLE + " WHERE group_id = " + quote(groupId) + " AND topic = "
                + quote(topic) + " AND " + condition + ";";
    }

    private static String quote(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}

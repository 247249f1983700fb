package io.agentpresence.consumer.engine;

import java.util.Collection;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * Where partitions start, from the positions stored with the data: called on the poll thread when partitions must
 * be (re)positioned. {@link TopicPositionReader} also checks them against the topic as it is now.
 */
public interface PositionReader {

    /**
     * Where each of {@code partitions} starts.
     *
     * @throws PositionException when the stored positions cannot be used in the topic as it is now
     * @throws Exception         when the database or the broker fails; nothing is decided then
     */
    Map<TopicPartition, PositionCheck.Start> read(Collection<TopicPartition> partitions) throws Exception;

    /** The id of the topic the positions belong to, stored with every position written; null while unknown. */
    String topicId();
}

package io.agentpresence.consumer.engine;

import java.util.Map;

/**
 * The topic as the broker has it now: the id of its incarnation, its partition count, and the offsets of the
 * first and the next record of some of its partitions.
 */
public record TopicLog(String topicId, int partitionCount, Map<Integer, Range> ranges) {

    /** {@code start}: offset of the first record still in the log; {@code end}: offset of the next one to come. */
    public record Range(long start, long end) {
    }
}

package io.agentpresence.consumer.engine;

import java.util.Collection;
import org.apache.kafka.common.TopicPartition;

/** Reads the topic as the broker has it now ({@link TopicLog}); {@link AdminTopicLogs} in the service. */
@FunctionalInterface
public interface TopicLogs {

    /** @param partitions the partitions whose log range is wanted */
    TopicLog read(String topic, Collection<TopicPartition> partitions) throws Exception;
}

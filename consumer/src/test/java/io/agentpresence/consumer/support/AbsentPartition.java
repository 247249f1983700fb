package io.agentpresence.consumer.support;

import java.util.Map;
import org.apache.kafka.clients.producer.Partitioner;
import org.apache.kafka.common.Cluster;

/**
 * A producer partitioner that sends every record to partition 1. On a topic of one partition the records find no
 * leader and expire after the delivery timeout, as when the broker is unreachable, until a second partition is added.
 */
public final class AbsentPartition implements Partitioner {

    @Override
    public int partition(String topic, Object key, byte[] keyBytes, Object value, byte[] valueBytes, Cluster cluster) {
        return 1;
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }

    @Override
    public void close() {
    }
}

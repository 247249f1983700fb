package io.agentpresence.consumer.engine;

import java.util.Collection;
import org.apache.kafka.common.TopicPartition;

/**
 * Hooks into the poll loop's life, called on the loop's thread: partitions gained and lost, and batches
 * committed to the database. Every method defaults to doing nothing.
 */
public interface ConsumerListener {

    ConsumerListener NONE = new ConsumerListener() {
    };

    default void onAssigned(Collection<TopicPartition> partitions) {
    }

    /** Revoked in a rebalance, or lost without a clean hand-over. */
    default void onRevoked(Collection<TopicPartition> partitions) {
    }

    /** A batch spanning {@code partitions} ({@code records} records) is committed to the database. */
    default void onBatchCommitted(Collection<TopicPartition> partitions, int records) {
    }
}

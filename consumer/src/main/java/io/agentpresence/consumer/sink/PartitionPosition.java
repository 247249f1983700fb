package io.agentpresence.consumer.sink;

/**
 * Where one partition stands after a batch: {@code next} is the offset of the next record to apply, and
 * {@code expected} the position this writer believes the database holds (null when it holds none yet).
 */
public record PartitionPosition(String topic, int partition, Long expected, long next) {
}

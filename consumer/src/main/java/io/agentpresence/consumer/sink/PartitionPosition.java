package io.agentpresence.consumer.sink;

/**
 * Where one partition stands after a batch: {@code next} is the offset of the next record to apply, and
 * {@code expected} the position this writer believes the database holds (null when it holds none yet).
 * {@code topicId} is the id of the topic incarnation the records came from, stored with the position.
 */
public record PartitionPosition(String topic, int partition, String topicId, Long expected, long next) {
}

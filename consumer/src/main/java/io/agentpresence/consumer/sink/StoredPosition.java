package io.agentpresence.consumer.sink;

/**
 * One partition's row in {@code agent_presence_offsets}: the next offset to apply and the id of the topic
 * incarnation it was stored for ({@code topicId} null when stored before ids were recorded).
 */
public record StoredPosition(int partition, long next, String topicId) {
}

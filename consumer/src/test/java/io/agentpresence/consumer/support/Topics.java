package io.agentpresence.consumer.support;

import io.agentpresence.embedded.KafkaTopics;
import java.util.Map;
import java.util.UUID;

/** Creates uniquely named topics on the shared test broker, and returns once every partition is served. */
public final class Topics {

    private Topics() {
    }

    public static String create(String bootstrapServers, String prefix, int partitions) throws Exception {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        KafkaTopics.create(bootstrapServers, name, partitions, Map.of());
        return name;
    }
}

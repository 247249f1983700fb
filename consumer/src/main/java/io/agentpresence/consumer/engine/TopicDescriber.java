package io.agentpresence.consumer.engine;

import org.apache.kafka.clients.admin.TopicDescription;

/** Describes a topic as the broker has it now (its id and partitions); an Admin client in the service. */
@FunctionalInterface
public interface TopicDescriber {

    TopicDescription describe(String topic) throws Exception;
}

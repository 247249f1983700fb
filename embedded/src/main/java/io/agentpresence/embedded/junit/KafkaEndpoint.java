package io.agentpresence.embedded.junit;

/** The Kafka cluster a test talks to; one broker serves the whole test run, so tests use their own topics. */
public interface KafkaEndpoint {

    String bootstrapServers();
}

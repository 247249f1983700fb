package io.agentpresence.cli;

import io.agentpresence.embedded.KafkaTopics;
import io.agentpresence.embedded.junit.KafkaEndpoint;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Creates a fresh topic per test on the shared broker and reads back what the CLI wrote to it. */
final class TestTopics {

    /** One record as read back: key and value as text, a null value being a tombstone. */
    record Written(String key, String value, int partition, long offset) {
    }

    private TestTopics() {
    }

    static String create(KafkaEndpoint kafka, String prefix, int partitions) throws Exception {
        String topic = prefix + "-" + UUID.randomUUID();
        KafkaTopics.create(kafka.bootstrapServers(), topic, partitions, Map.of());
        return topic;
    }

    /** Every record of the topic, partition by partition in offset order; waits until {@code expected} arrived. */
    static List<Written> readAll(KafkaEndpoint kafka, String topic, int expected) {
        return read(kafka, topic, expected).stream()
                .map(r -> new Written(text(r.key()), text(r.value()), r.partition(), r.offset())).toList();
    }

    /** The record timestamps (the producer's clock when it sent each record) of the first {@code expected} records. */
    static List<Long> timestamps(KafkaEndpoint kafka, String topic, int expected) {
        return read(kafka, topic, expected).stream().map(ConsumerRecord::timestamp).toList();
    }

    private static List<ConsumerRecord<byte[], byte[]>> read(KafkaEndpoint kafka, String topic, int expected) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig(kafka))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    records.add(r);
                }
            }
        }
        return records;
    }

    /** How many records the topic holds, without waiting for any to arrive. */
    static long count(KafkaEndpoint kafka, String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig(kafka))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private static Map<String, Object> consumerConfig(KafkaEndpoint kafka) {
        return Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }
}

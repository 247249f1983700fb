package io.agentpresence.consumer.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads a whole topic from the beginning with a plain consumer, outside any group: for dead-letter checks. */
public final class TopicReader {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(15);
    /** How long {@link #readAll(String, String, int)} waits for the records it expects to arrive. */
    private static final Duration ARRIVAL_TIMEOUT = Duration.ofSeconds(20);

    private TopicReader() {
    }

    /** Every record the topic holds now; an absent topic reads as empty. */
    public static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrapServers, String topic) {
        return readAll(bootstrapServers, topic, 0);
    }

    /**
     * Every record the topic holds once it holds at least {@code atLeast} (or {@link #ARRIVAL_TIMEOUT} has passed),
     * so records beyond the expected ones show too; an absent topic counts as empty.
     */
    public static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrapServers, String topic, int atLeast) {
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            long arrivalDeadline = System.nanoTime() + ARRIVAL_TIMEOUT.toNanos();
            while (true) {
                List<TopicPartition> partitions = consumer.partitionsFor(topic, READ_TIMEOUT).stream()
                        .map(p -> new TopicPartition(topic, p.partition())).toList();
                Map<TopicPartition, Long> end = partitions.isEmpty() ? Map.of()
                        : consumer.endOffsets(partitions, READ_TIMEOUT);
                long held = end.values().stream().mapToLong(Long::longValue).sum();
                if (held >= atLeast || System.nanoTime() - arrivalDeadline > 0) {
                    return read(consumer, topic, partitions, end);
                }
                sleep(Duration.ofMillis(200));
            }
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> read(KafkaConsumer<byte[], byte[]> consumer, String topic,
                                                            List<TopicPartition> partitions,
                                                            Map<TopicPartition, Long> end) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        if (partitions.isEmpty()) {
            return records;
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("could not read " + topic + " up to " + end + " in " + READ_TIMEOUT);
            }
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        }
        return records;
    }

    private static void sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            // give up waiting, keep the flag for the caller
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for records", e);
        }
    }
}

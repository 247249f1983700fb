package io.agentpresence.consumer.fold;

import io.agentpresence.model.MalformedEventException;
import io.agentpresence.model.PresenceEvent;
import io.agentpresence.model.PresenceEventCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the presence topic from the beginning as the consumer does, committed transactions only, and keeps
 * every event read so far: what the fold has really written, without the records of aborted transactions.
 */
final class CommittedRecords implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final PresenceEventCodec codec = new PresenceEventCodec();
    private final List<PresenceEvent> events = new ArrayList<>();

    CommittedRecords(String bootstrapServers, String topic) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()));
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Every event read so far, after reading what has arrived since the last call. */
    synchronized List<PresenceEvent> events() throws MalformedEventException {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            events.add(codec.decode(r.key(), r.value(), r.timestamp()));
        }
        return List.copyOf(events);
    }

    /** The status events among {@link #events()}. */
    List<PresenceEvent> statuses() throws MalformedEventException {
        return events().stream().filter(e -> !e.isHeartbeat()).toList();
    }

    @Override
    public synchronized void close() {
        consumer.close();
    }
}

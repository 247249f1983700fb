package io.agentpresence.consumer.order;

import io.agentpresence.consumer.engine.RecordDecoder;
import io.agentpresence.consumer.sink.PresenceChange;
import io.agentpresence.model.MalformedEventException;
import io.agentpresence.model.PresenceEvent;
import io.agentpresence.model.PresenceEventCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A history that compaction gets wrong without the order stage, per user in the order the records arrive: a late
 * older status, a deletion followed by a late older status, equal times, bare heartbeats, and a deletion older
 * than the status. Times are offsets from a base a minute in the past; tombstones take theirs as record timestamp.
 */
final class LateHistory {

    static final String SOURCE = "plugin";
    private static final PresenceEventCodec CODEC = new PresenceEventCodec();

    /** One record of the history: a status, a heartbeat (status null: bare) or, with {@code kind} DELETE, a tombstone. */
    record Step(PresenceChange.Kind kind, String userId, String status, long at) {
    }

    final long base = System.currentTimeMillis() - 60_000;

    /** What arrives first: each user's first states. */
    List<Step> first() {
        return List.of(
                status("late", "online", 20),
                status("deleted", "online", 20),
                delete("deleted", 30),
                status("ties", "online", 10),
                heartbeat("beats", 5),
                status("beats", "busy", 10),
                status("stale-delete", "online", 20));
    }

    /** What arrives after: late events, repeats on equal times, heartbeats and an old deletion. */
    List<Step> then() {
        return List.of(
                status("late", "away", 10),
                status("deleted", "online", 25),
                status("ties", "offline", 10),
                status("ties", "busy", 10),
                heartbeat("beats", 15),
                heartbeat("beats", 12),
                delete("stale-delete", 10),
                status("stale-delete", "away", 5));
    }

    List<Step> all() {
        List<Step> all = new ArrayList<>(first());
        all.addAll(then());
        return all;
    }

    /** What the stage passes on, per user in order: each record a newer state than the one before. */
    Map<String, List<PresenceChange>> passed() {
        Map<String, List<PresenceChange>> passed = new TreeMap<>();
        passed.put("late", List.of(new PresenceChange("late", "online", base + 20, SOURCE, 0)));
        passed.put("deleted", List.of(new PresenceChange("deleted", "online", base + 20, SOURCE, 0),
                PresenceChange.delete("deleted", base + 30, 0)));
        passed.put("ties", List.of(new PresenceChange("ties", "online", base + 10, SOURCE, 0),
                new PresenceChange("ties", "offline", base + 10, SOURCE, 0)));
        passed.put("beats", List.of(new PresenceChange("beats", "busy", base + 10, SOURCE, 0),
                PresenceChange.heartbeat("beats", "busy", base + 15, SOURCE, 0)));
        passed.put("stale-delete", List.of(new PresenceChange("stale-delete", "online", base + 20, SOURCE, 0)));
        return passed;
    }

    private Step status(String user, String status, long at) {
        return new Step(PresenceChange.Kind.STATUS, user, status, base + at);
    }

    private Step heartbeat(String user, long at) {
        return new Step(PresenceChange.Kind.HEARTBEAT, user, null, base + at);
    }

    private Step delete(String user, long at) {
        return new Step(PresenceChange.Kind.DELETE, user, null, base + at);
    }

    /** Sends {@code steps} to {@code topic} in order, each acknowledged before the next, as late publishers do. */
    static void publish(KafkaProducer<byte[], byte[]> producer, String topic, List<Step> steps) throws Exception {
        for (Step step : steps) {
            byte[] value = switch (step.kind()) {
                case DELETE -> null;
                case STATUS -> CODEC.encode(new PresenceEvent(step.userId(), step.status(), step.at(), SOURCE));
                case HEARTBEAT -> CODEC.encode(PresenceEvent.heartbeat(step.userId(), step.at(), SOURCE, null));
            };
            producer.send(new ProducerRecord<>(topic, null, step.at(), PresenceEventCodec.key(step.userId()), value))
                    .get();
        }
    }

    /** Every committed record of {@code topic}, from its beginning, as of now. */
    static List<ConsumerRecord<byte[], byte[]>> committed(String bootstrapServers, String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            // under read_committed these are the last stable offsets: nothing of an open transaction
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(10));
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " up to " + end);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }

    /** The records of {@code topic} as the consumer decodes them, per user in offset order. */
    static Map<String, List<PresenceChange>> byUser(List<ConsumerRecord<byte[], byte[]>> records)
            throws MalformedEventException {
        RecordDecoder decoder = new RecordDecoder(CODEC);
        Map<String, List<PresenceChange>> byUser = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            PresenceChange change = decoder.decode(record, 0);
            byUser.computeIfAbsent(change.userId(), u -> new ArrayList<>()).add(change);
        }
        return new TreeMap<>(byUser);
    }
}

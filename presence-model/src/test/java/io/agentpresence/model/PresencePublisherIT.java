package io.agentpresence.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.agentpresence.embedded.KafkaTopics;
import io.agentpresence.embedded.junit.KafkaEndpoint;
import io.agentpresence.embedded.junit.PresenceInfrastructure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PresenceInfrastructure.class)
class PresencePublisherIT {

    private static final int PARTITIONS = 3;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final PresenceEventCodec codec = new PresenceEventCodec();

    @Test
    void eventsArriveKeyedByUserIdAndEachUserStaysOnOnePartition(KafkaEndpoint kafka) throws Exception {
        String topic = createTopic(kafka, PARTITIONS);
        List<String> users = IntStream.range(0, 8).mapToObj(i -> "agent-" + i).toList();
        List<PresenceEvent> sent = new ArrayList<>();
        List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>();
        long ts = System.currentTimeMillis() - 60_000;
        try (PresencePublisher publisher = new PresencePublisher(kafka.bootstrapServers(), topic)) {
            for (String status : List.of("online", "busy", "away")) {
                for (String user : users) {
                    PresenceEvent event = new PresenceEvent(user, status, ts++, "publisher-it");
                    acks.add(publisher.publish(event));
                    sent.add(event);
                }
            }
            acks.add(publisher.delete("agent-3"));
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }

        List<ConsumerRecord<byte[], byte[]>> records = readAll(kafka, topic, sent.size() + 1);

        Map<String, Set<Integer>> partitionsByUser = new HashMap<>();
        Map<String, List<PresenceEvent>> receivedByUser = new HashMap<>();
        List<String> tombstones = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            String userId = codec.decodeTombstoneKey(record.key());
            partitionsByUser.computeIfAbsent(userId, u -> new HashSet<>()).add(record.partition());
            // murmur2 of the key, as the Java client's default partitioner does; librdkafka clients must match it
            assertThat(record.partition()).isEqualTo(Utils.toPositive(Utils.murmur2(record.key())) % PARTITIONS);
            if (record.value() == null) {
                tombstones.add(userId);
            } else {
                PresenceEvent event = codec.decode(record.key(), record.value(), record.timestamp());
                assertThat(record.key()).isEqualTo(PresenceEventCodec.key(event.userId()));
                receivedByUser.computeIfAbsent(userId, u -> new ArrayList<>()).add(event);
            }
        }
        assertThat(tombstones).containsExactly("agent-3");
        assertThat(partitionsByUser).hasSize(users.size()).allSatisfy((user, partitions) -> assertThat(partitions).hasSize(1));
        for (String user : users) {
            // one partition per user keeps the order in which they were published
            assertThat(receivedByUser.get(user)).containsExactlyElementsOf(
                    sent.stream().filter(e -> e.userId().equals(user)).toList());
        }
    }

    @Test
    void anInvalidEventIsRefusedBeforeAnythingIsSent(KafkaEndpoint kafka) throws Exception {
        String topic = createTopic(kafka, 1);
        PresenceEvent marker = new PresenceEvent("agent-ok", "online", System.currentTimeMillis(), null);
        try (PresencePublisher publisher = new PresencePublisher(kafka.bootstrapServers(), topic)) {
            MalformedEventException badStatus = catchThrowableOfType(MalformedEventException.class,
                    () -> publisher.publish(new PresenceEvent("agent-bad", "dancing", System.currentTimeMillis(), null)));
            MalformedEventException badTombstone = catchThrowableOfType(MalformedEventException.class,
                    () -> publisher.delete("agent-bad "));

            assertThat(badStatus.rejection()).isEqualTo(Rejection.UNKNOWN_STATUS);
            assertThat(badTombstone.rejection()).isEqualTo(Rejection.INVALID_USER_ID);
            // a valid event sent afterwards is the only record, so nothing went out before it
            publisher.publish(marker).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }

        List<ConsumerRecord<byte[], byte[]>> records = readAll(kafka, topic, 1);

        assertThat(records).hasSize(1);
        assertThat(records.get(0).offset()).isZero();
        assertThat(codec.decode(records.get(0).key(), records.get(0).value(), records.get(0).timestamp())).isEqualTo(marker);
    }

    @Test
    void anEventSentToAnotherTopicLandsThereKeyedByUserIdAndNotOnThePublishersOwn(KafkaEndpoint kafka) throws Exception {
        String own = createTopic(kafka, 1);
        String devices = createTopic(kafka, 1);
        PresenceEvent heartbeat = PresenceEvent.heartbeat("agent-9", System.currentTimeMillis(), "publisher-it", "laptop");
        try (PresencePublisher publisher = new PresencePublisher(kafka.bootstrapServers(), own)) {
            RecordMetadata sent = publisher.publish(devices, heartbeat).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);

            assertThat(sent.topic()).isEqualTo(devices);
            assertThat(publisher.topic()).isEqualTo(own);
        }

        List<ConsumerRecord<byte[], byte[]>> records = readAll(kafka, devices, 1);

        assertThat(records).hasSize(1);
        assertThat(records.get(0).key()).isEqualTo(PresenceEventCodec.key("agent-9"));
        assertThat(codec.decode(records.get(0).key(), records.get(0).value(), records.get(0).timestamp())).isEqualTo(heartbeat);
        assertThat(readAll(kafka, own, 0)).isEmpty();
    }

    private static String createTopic(KafkaEndpoint kafka, int partitions) throws Exception {
        String topic = "presence-publisher-it-" + UUID.randomUUID();
        KafkaTopics.create(kafka.bootstrapServers(), topic, partitions, Map.of());
        return topic;
    }

    /** Every record on the topic, read from the start of each partition until the end offsets seen at the start. */
    private static List<ConsumerRecord<byte[], byte[]>> readAll(KafkaEndpoint kafka, String topic, int expected) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, TIMEOUT).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
            assertThat(end.values().stream().mapToLong(Long::longValue).sum()).as("records on " + topic).isEqualTo(expected);

            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }
}

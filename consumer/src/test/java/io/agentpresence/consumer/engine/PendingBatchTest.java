package io.agentpresence.consumer.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentpresence.consumer.error.DeadLetter;
import io.agentpresence.consumer.ops.PresenceMetrics;
import io.agentpresence.consumer.sink.PresenceChange;
import io.agentpresence.model.PresenceEventCodec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class PendingBatchTest {

    private static final TopicPartition PARTITION = new TopicPartition("agent-presence", 0);

    private final List<ConsumerRecord<byte[], byte[]>> polled = new ArrayList<>();

    @Test
    void aRefusedChangeDeadLettersEveryRecordItsUserHasInTheBatchOnce() {
        add("carol", "{\"userId\":\"carol\",\"status\":\"away\",\"ts\":5}");
        add("dave", "{\"userId\":\"dave\",\"status\":\"busy\",\"ts\":5}");
        add("carol", "{\"userId\":\"carol\",\"kind\":\"heartbeat\",\"ts\":6}");
        add("carol", "not json");
        add("carol", null);
        add("carol", "{\"userId\":\"carol\",\"status\":\"busy\",\"ts\":7}");
        PendingBatch batch = decode();
        PresenceChange carol = batch.changes().get(0);
        SQLException refusal = new SQLException("refused", "22001", 1406);

        int deadLettered = batch.deadLetter(carol, refusal);
        batch.deadLetter(carol, refusal);

        assertThat(deadLettered).isEqualTo(4);
        assertThat(batch.changes()).extracting(PresenceChange::userId).containsExactly("dave");
        assertThat(batch.unsentDeadLetters()).extracting(letter -> letter.record().offset())
                .containsExactly(3L, 0L, 2L, 4L, 5L);
        assertThat(batch.unsentDeadLetters()).extracting(DeadLetter::reason)
                .containsExactly("malformed-json", "database-rejected", "database-rejected", "database-rejected",
                        "database-rejected");
    }

    @Test
    void aLaterPollJoinsTheBatchThatHoldsItsPartitionsAndIsReducedWithIt() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PresenceMetrics metrics = new PresenceMetrics(registry);
        RecordDecoder decoder = new RecordDecoder(new PresenceEventCodec());
        TopicPartition other = new TopicPartition(PARTITION.topic(), 1);
        add("carol", "{\"userId\":\"carol\",\"status\":\"away\",\"ts\":5}");
        add("dave", "{\"userId\":\"dave\",\"status\":\"busy\",\"ts\":5}");
        List<PendingBatch> batches = PendingBatch.decode(new ConsumerRecords<>(Map.of(PARTITION, List.copyOf(polled)),
                Map.of()), decoder, metrics, 2);
        polled.clear();
        add("carol", "{\"userId\":\"carol\",\"status\":\"online\",\"ts\":7}");
        ConsumerRecord<byte[], byte[]> laterCarol = polled.get(0);
        ConsumerRecord<byte[], byte[]> later = new ConsumerRecord<>(PARTITION.topic(), PARTITION.partition(), 2,
                laterCarol.key(), laterCarol.value());
        ConsumerRecord<byte[], byte[]> erin = new ConsumerRecord<>(other.topic(), other.partition(), 40,
                "erin".getBytes(StandardCharsets.UTF_8),
                "{\"userId\":\"erin\",\"status\":\"busy\",\"ts\":6}".getBytes(StandardCharsets.UTF_8));

        PendingBatch.decodeInto(batches, new ConsumerRecords<>(Map.of(PARTITION, List.of(later), other, List.of(erin)),
                Map.of()), decoder, metrics);

        assertThat(batches).hasSize(1);
        PendingBatch batch = batches.get(0);
        assertThat(batch.changes()).extracting(change -> change.userId() + "=" + change.status())
                .containsExactly("carol=online", "dave=busy", "erin=busy");
        assertThat(batch.firstOffsets()).containsExactlyInAnyOrderEntriesOf(Map.of(PARTITION, 0L, other, 40L));
        assertThat(batch.nextOffsets()).containsExactlyInAnyOrderEntriesOf(Map.of(PARTITION, 3L, other, 41L));
        assertThat(batch.recordCount()).isEqualTo(4);
        assertThat(registry.get(PresenceMetrics.EVENTS_SUPERSEDED).counter().count()).as("carol's first").isEqualTo(1);
    }

    private void add(String key, String value) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        byte[] v = value == null ? null : value.getBytes(StandardCharsets.UTF_8);
        polled.add(new ConsumerRecord<>(PARTITION.topic(), PARTITION.partition(), polled.size(), 1_000,
                TimestampType.CREATE_TIME, k.length, v == null ? -1 : v.length, k, v, new RecordHeaders(),
                Optional.empty()));
    }

    private PendingBatch decode() {
        List<PendingBatch> batches = PendingBatch.decode(new ConsumerRecords<>(Map.of(PARTITION, polled), Map.of()),
                new RecordDecoder(new PresenceEventCodec()), new PresenceMetrics(new SimpleMeterRegistry()), 1);
        assertThat(batches).hasSize(1);
        return batches.get(0);
    }
}

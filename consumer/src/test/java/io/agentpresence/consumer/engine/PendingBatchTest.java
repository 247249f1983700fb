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

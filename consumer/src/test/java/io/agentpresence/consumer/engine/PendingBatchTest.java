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
    private static final RecordDecoder DECODER = new RecordDecoder(new PresenceEventCodec());
    private static final PresenceMetrics METRICS = new PresenceMetrics(new SimpleMeterRegistry());

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
        List<PendingBatch> batches = decode(new ConsumerRecords<>(Map.of(PARTITION, List.copyOf(polled)),
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
                Map.of()), decoder, metrics, 2);

        assertThat(batches).as("too few records to be worth a second transaction").hasSize(1);
        PendingBatch batch = batches.get(0);
        assertThat(batch.changes()).extracting(change -> change.userId() + "=" + change.status())
                .containsExactly("carol=online", "dave=busy", "erin=busy");
        assertThat(batch.firstOffsets()).containsExactlyInAnyOrderEntriesOf(Map.of(PARTITION, 0L, other, 40L));
        assertThat(batch.nextOffsets()).containsExactlyInAnyOrderEntriesOf(Map.of(PARTITION, 3L, other, 41L));
        assertThat(batch.recordCount()).isEqualTo(4);
        assertThat(registry.get(PresenceMetrics.EVENTS_SUPERSEDED).counter().count()).as("carol's first").isEqualTo(1);
    }

    @Test
    void aPollsPartitionsAreDealtOutToTheWritersLargestFirstToTheLeastLoaded() {
        TopicPartition p0 = new TopicPartition(PARTITION.topic(), 0);
        TopicPartition p1 = new TopicPartition(PARTITION.topic(), 1);
        TopicPartition p2 = new TopicPartition(PARTITION.topic(), 2);

        List<PendingBatch> batches = decode(new ConsumerRecords<>(Map.of(p0, events(p0, 600),
                p1, events(p1, 300), p2, events(p2, 300)), Map.of()), DECODER, METRICS, 2);

        // in turn, p0 and p2 would share one writer (900 records) and p1 have the other to itself (300)
        assertThat(batches).extracting(PendingBatch::recordCount).containsExactly(600, 600);
        assertThat(batches.get(0).firstOffsets()).containsOnlyKeys(p0);
        assertThat(batches.get(1).firstOffsets()).containsOnlyKeys(p1, p2);
    }

    @Test
    void aLaterPollsNewPartitionTakesAWriterOfItsOwnOnceTheBatchesAreWorthSplitting() {
        TopicPartition p0 = new TopicPartition(PARTITION.topic(), 0);
        TopicPartition p1 = new TopicPartition(PARTITION.topic(), 1);
        TopicPartition p2 = new TopicPartition(PARTITION.topic(), 2);
        List<PendingBatch> batches = decode(new ConsumerRecords<>(Map.of(p0, events(p0, 100)),
                Map.of()), DECODER, METRICS, 2);
        assertThat(batches).as("a small first poll").hasSize(1);

        PendingBatch.decodeInto(batches, new ConsumerRecords<>(Map.of(p1, events(p1, PendingBatch.SPLIT_THRESHOLD)),
                Map.of()), DECODER, METRICS, 2);
        PendingBatch.decodeInto(batches, new ConsumerRecords<>(Map.of(p2, events(p2, 50), p0, events(p0, 100)),
                Map.of()), DECODER, METRICS, 2);

        // before: the first poll's one batch took every later poll, and one writer wrote them all
        assertThat(batches).extracting(PendingBatch::recordCount).containsExactly(250, PendingBatch.SPLIT_THRESHOLD);
        assertThat(batches.get(0).firstOffsets()).containsOnlyKeys(p0, p2);
        assertThat(batches.get(1).firstOffsets()).containsOnlyKeys(p1);
    }

    /** {@code count} status events of distinct users in {@code tp}. */
    private static List<ConsumerRecord<byte[], byte[]>> events(TopicPartition tp, int count) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String user = "user-" + tp.partition() + "-" + i;
            records.add(new ConsumerRecord<>(tp.topic(), tp.partition(), i, user.getBytes(StandardCharsets.UTF_8),
                    ("{\"userId\":\"" + user + "\",\"status\":\"online\",\"ts\":" + (i + 1) + "}")
                            .getBytes(StandardCharsets.UTF_8)));
        }
        return records;
    }

    private void add(String key, String value) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        byte[] v = value == null ? null : value.getBytes(StandardCharsets.UTF_8);
        polled.add(new ConsumerRecord<>(PARTITION.topic(), PARTITION.partition(), polled.size(), 1_000,
                TimestampType.CREATE_TIME, k.length, v == null ? -1 : v.length, k, v, new RecordHeaders(),
                Optional.empty()));
    }

    /** A first poll's batches. */
    private static List<PendingBatch> decode(ConsumerRecords<byte[], byte[]> polled, RecordDecoder decoder,
                                             PresenceMetrics metrics, int maxWriters) {
        List<PendingBatch> batches = new ArrayList<>();
        PendingBatch.decodeInto(batches, polled, decoder, metrics, maxWriters);
        return batches;
    }

    private PendingBatch decode() {
        List<PendingBatch> batches = decode(new ConsumerRecords<>(Map.of(PARTITION, polled), Map.of()),
                new RecordDecoder(new PresenceEventCodec()), new PresenceMetrics(new SimpleMeterRegistry()), 1);
        assertThat(batches).hasSize(1);
        return batches.get(0);
    }
}

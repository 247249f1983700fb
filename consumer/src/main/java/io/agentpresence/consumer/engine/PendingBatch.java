package io.agentpresence.consumer.engine;

import io.agentpresence.consumer.error.DeadLetter;
import io.agentpresence.consumer.ops.PresenceMetrics;
import io.agentpresence.consumer.sink.PresenceBuffer;
import io.agentpresence.consumer.sink.PresenceChange;
import io.agentpresence.model.MalformedEventException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

/**
 * One poll's worth of work, kept until it is fully done: the reduced changes, the records that go to the
 * dead-letter topic instead, and the offsets the batch spans. A change's {@code sequence} is the index of
 * its record in {@link #records}; {@link #decoded} marks the records that reached the buffer.
 */
final class PendingBatch {

    private final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    private final BitSet decoded = new BitSet();
    private final PresenceBuffer buffer;
    private final List<DeadLetter> deadLetters = new ArrayList<>();
    private final Map<TopicPartition, Long> firstOffsets = new HashMap<>();
    private final Map<TopicPartition, Long> nextOffsets = new HashMap<>();
    private int deadLettersSent;

    /** Below this many records a poll is one transaction: a second one would cost more than it saves. */
    static final int SPLIT_THRESHOLD = 1_000;

    private PendingBatch(int expectedRecords) {
        buffer = new PresenceBuffer(expectedRecords);
    }

    /**
     * Decodes a poll into {@code batches}, which are not being written yet, adding batches as it goes (at most
     * {@code maxWriters}). Each partition's records go to one batch only, so each user (whose events share a
     * partition) is written by one writer only: a partition's records follow its earlier ones in the batch that has
     * them; the new partitions, largest first, each go to a batch of their own while there are fewer than
     * {@code maxWriters} and the records are worth a second transaction ({@link #SPLIT_THRESHOLD}), else to the batch
     * with the fewest records. Decided poll by poll, so a small first poll does not leave one writer to write all the
     * later ones.
     */
    static void decodeInto(List<PendingBatch> batches, ConsumerRecords<byte[], byte[]> polled, RecordDecoder decoder,
                           PresenceMetrics metrics, int maxWriters) {
        int records = recordCount(batches) + polled.count();
        List<TopicPartition> partitions = new ArrayList<>(polled.partitions());
        partitions.sort(Comparator.<TopicPartition>comparingInt(tp -> -polled.records(tp).size())
                .thenComparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
        for (TopicPartition tp : partitions) {
            PendingBatch into = batches.stream().filter(batch -> batch.firstOffsets.containsKey(tp)).findFirst()
                    .orElseGet(() -> batches.isEmpty() || batches.size() < maxWriters && records >= SPLIT_THRESHOLD
                            ? newBatch(batches, Math.max(records / maxWriters, polled.records(tp).size()))
                            : batches.stream().min(Comparator.comparingInt(PendingBatch::recordCount)).get());
            long superseded = into.buffer.superseded();
            into.add(tp, polled.records(tp), decoder, metrics);
            metrics.superseded(into.buffer.superseded() - superseded);
        }
    }

    private static PendingBatch newBatch(List<PendingBatch> batches, int expectedRecords) {
        PendingBatch batch = new PendingBatch(expectedRecords);
        batches.add(batch);
        return batch;
    }

    /** How many records {@code batches} hold. */
    static int recordCount(List<PendingBatch> batches) {
        return batches.stream().mapToInt(PendingBatch::recordCount).sum();
    }

    /** Adds one partition's records of a poll (in offset order, never empty, following any it has already). */
    private void add(TopicPartition tp, List<ConsumerRecord<byte[], byte[]>> polled, RecordDecoder decoder,
                     PresenceMetrics metrics) {
        firstOffsets.putIfAbsent(tp, polled.get(0).offset());
        nextOffsets.put(tp, polled.get(polled.size() - 1).offset() + 1);
        for (ConsumerRecord<byte[], byte[]> record : polled) {
            records.add(record);
            try {
                buffer.add(decoder.decode(record, records.size() - 1));
                decoded.set(records.size() - 1);
            } catch (MalformedEventException e) {
                // bad content: it goes to the dead-letter topic and never stalls the partition
                metrics.rejected(e.rejection());
                deadLetters.add(new DeadLetter(record, e.rejection().code(), e));
            }
        }
    }

    List<PresenceChange> changes() {
        return buffer.changes();
    }

    int recordCount() {
        return records.size();
    }

    /**
     * Moves a change the database refused out of the batch, and every record of its user that the buffer reduced
     * into it onto the dead-letter list: none of them is applied. Rare, so the user's records are looked up here
     * rather than tracked for every record.
     *
     * @return how many records were dead-lettered
     */
    int deadLetter(PresenceChange change, Throwable error) {
        buffer.remove(change.userId());
        // a decoded record's key is its userId as UTF-8 (the codec checks it)
        byte[] key = change.userId().getBytes(StandardCharsets.UTF_8);
        int before = deadLetters.size();
        for (int i = decoded.nextSetBit(0); i >= 0; i = decoded.nextSetBit(i + 1)) {
            if (Arrays.equals(records.get(i).key(), key)) {
                deadLetters.add(new DeadLetter(records.get(i), DeadLetter.DATABASE_REJECTED, error));
                decoded.clear(i);
            }
        }
        return deadLetters.size() - before;
    }

    /** Dead letters not yet acknowledged by the broker. */
    List<DeadLetter> unsentDeadLetters() {
        return deadLetters.subList(deadLettersSent, deadLetters.size());
    }

    int deadLetterCount() {
        return deadLetters.size();
    }

    void markDeadLettersSent() {
        deadLettersSent = deadLetters.size();
    }

    Map<TopicPartition, Long> firstOffsets() {
        return firstOffsets;
    }

    Map<TopicPartition, Long> nextOffsets() {
        return nextOffsets;
    }

    boolean touches(Collection<TopicPartition> partitions) {
        return partitions.stream().anyMatch(firstOffsets::containsKey);
    }
}

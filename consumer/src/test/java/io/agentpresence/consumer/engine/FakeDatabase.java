package io.agentpresence.consumer.engine;

import io.agentpresence.consumer.sink.FencedException;
import io.agentpresence.consumer.sink.PartitionPosition;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.TopicPartition;

/**
 * The database as the loop sees it: positions stored per partition, moved compare-and-set as
 * {@code OffsetStore} does, and the offset ranges written. Failures can be scripted, one per write or read.
 */
final class FakeDatabase implements Applier, PositionReader {

    /** One partition's records written by one batch: {@code [first, next)}. */
    record Range(int partition, long first, long next) {
        @Override
        public String toString() {
            return "p" + partition + "[" + first + "," + next + ")";
        }
    }

    private final Map<Integer, Long> positions = new HashMap<>();
    private final List<Range> written = new ArrayList<>();
    private final Deque<Exception> writeFailures = new ArrayDeque<>();
    private final Deque<Exception> readFailures = new ArrayDeque<>();
    private int writes;

    /** Another writer (a new owner, a restored backup) stores {@code next} for the partition. */
    synchronized void store(int partition, long next) {
        positions.put(partition, next);
    }

    synchronized Long position(int partition) {
        return positions.get(partition);
    }

    synchronized List<Range> written() {
        return List.copyOf(written);
    }

    /** Write attempts, failed ones included. */
    synchronized int writes() {
        return writes;
    }

    synchronized void failNextWrite(Exception e) {
        writeFailures.add(e);
    }

    synchronized void failNextRead(Exception e) {
        readFailures.add(e);
    }

    @Override
    public synchronized void apply(PendingBatch batch, List<PartitionPosition> moves) throws Exception {
        writes++;
        if (!writeFailures.isEmpty()) {
            throw writeFailures.poll();
        }
        for (PartitionPosition move : moves) {
            if (!Objects.equals(positions.get(move.partition()), move.expected())) {
                throw new FencedException("p" + move.partition() + ": the stored position is no longer "
                        + move.expected());
            }
        }
        moves.forEach(move -> positions.put(move.partition(), move.next()));
        batch.firstOffsets().forEach((TopicPartition tp, Long first) ->
                written.add(new Range(tp.partition(), first, batch.nextOffsets().get(tp))));
    }

    /** A partition with no stored position starts at offset 0, where the test's logs begin. */
    @Override
    public synchronized Map<TopicPartition, PositionCheck.Start> read(Collection<TopicPartition> partitions)
            throws Exception {
        if (!readFailures.isEmpty()) {
            throw readFailures.poll();
        }
        Map<TopicPartition, PositionCheck.Start> read = new HashMap<>();
        partitions.forEach(tp -> {
            Long stored = positions.get(tp.partition());
            read.put(tp, new PositionCheck.Start(stored == null ? 0 : stored, stored, null));
        });
        return read;
    }

    @Override
    public String topicId() {
        return "topic-id";
    }
}

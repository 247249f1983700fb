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
import java.util.Set;
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
    private final Map<Integer, Long> logStarts = new HashMap<>();
    private final List<Set<TopicPartition>> reads = new ArrayList<>();
    private int writes;

    /** Another writer (a new owner, a restored backup) stores {@code next} for the partition. */
    synchronized void store(int partition, long next) {
        positions.put(partition, next);
    }

    /**
     * Records below {@code start} are removed from the partition's log: a position read below it continues there,
     * and the stored position is reset to it, as {@code PositionCheck} decides.
     */
    synchronized void startLogAt(int partition, long start) {
        logStarts.put(partition, start);
    }

    /** The partitions of every position read, in order. */
    synchronized List<Set<TopicPartition>> reads() {
        return List.copyOf(reads);
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

    /** A partition with no stored position starts at its log start, offset 0 unless {@link #startLogAt} moved it. */
    @Override
    public synchronized Map<TopicPartition, PositionCheck.Start> read(Collection<TopicPartition> partitions)
            throws Exception {
        reads.add(Set.copyOf(partitions));
        if (!readFailures.isEmpty()) {
            throw readFailures.poll();
        }
        Map<TopicPartition, PositionCheck.Start> read = new HashMap<>();
        partitions.forEach(tp -> {
            Long stored = positions.get(tp.partition());
            long logStart = logStarts.getOrDefault(tp.partition(), 0L);
            if (stored != null && stored < logStart) {
                positions.put(tp.partition(), logStart);
                stored = logStart;
            }
            read.put(tp, new PositionCheck.Start(stored == null ? logStart : stored, stored, null));
        });
        return read;
    }

    @Override
    public String topicId() {
        return "topic-id";
    }
}

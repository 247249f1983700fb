package io.agentpresence.consumer.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.NoOffsetForPartitionException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * A {@link MockConsumer} with the two things it cannot do by itself: run something just after a poll returned
 * (a write that finishes between the poll and the loop's look at it), and fail an asynchronous commit, its
 * callback run later inside a poll as the real client does.
 */
final class ScriptedConsumer extends MockConsumer<byte[], byte[]> {

    private Runnable afterNextPoll;
    private final List<ConsumerRecord<byte[], byte[]>> raced = new ArrayList<>();
    private boolean failNextCommit;
    private final List<Runnable> commitCallbacks = new ArrayList<>();
    private final List<Map<TopicPartition, OffsetAndMetadata>> syncCommits = new ArrayList<>();
    private final List<Map<TopicPartition, OffsetAndMetadata>> asyncCommits = new ArrayList<>();
    private boolean failNextSyncCommit;
    private int pollsWithoutPosition;

    /** Without a reset policy, as the service's group consumer: a partition without a position fails the poll. */
    ScriptedConsumer() {
        super("none");
    }

    /** Polls that failed because an assigned partition had no fetch position. */
    synchronized int pollsWithoutPosition() {
        return pollsWithoutPosition;
    }

    /** Runs {@code action} once, after the next poll has taken its records and before it returns them. */
    synchronized void afterNextPoll(Runnable action) {
        afterNextPoll = action;
    }

    /**
     * Records the next poll returns even when their partition is paused, as a fetch that was under way when
     * the pause came does; the partition's position moves past them.
     */
    synchronized void raceThePause(List<ConsumerRecord<byte[], byte[]>> records) {
        raced.addAll(records);
    }

    /** The next asynchronous commit fails; its callback runs inside the poll after {@link #deliverCommitResults}. */
    synchronized void failNextCommit() {
        failNextCommit = true;
    }

    @Override
    public synchronized ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
        ConsumerRecords<byte[], byte[]> records;
        try {
            records = withRaced(super.poll(timeout));
        } catch (NoOffsetForPartitionException e) {
            // counted, so a test can tell a partition that had a fetch position from one the loop recovered
            pollsWithoutPosition++;
            throw e;
        }
        Runnable action = afterNextPoll;
        afterNextPoll = null;
        if (action != null) {
            action.run();
        }
        return records;
    }

    private ConsumerRecords<byte[], byte[]> withRaced(ConsumerRecords<byte[], byte[]> polled) {
        if (raced.isEmpty()) {
            return polled;
        }
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> all = new HashMap<>();
        polled.partitions().forEach(tp -> all.put(tp, new ArrayList<>(polled.records(tp))));
        for (ConsumerRecord<byte[], byte[]> record : raced) {
            TopicPartition tp = new TopicPartition(record.topic(), record.partition());
            all.computeIfAbsent(tp, any -> new ArrayList<>()).add(record);
            seek(tp, record.offset() + 1);
        }
        raced.clear();
        return new ConsumerRecords<>(all, Map.of());
    }

    /** The next synchronous commit (a hand-over, a shutdown) fails, as one to a broker that is away does. */
    synchronized void failNextSyncCommit() {
        failNextSyncCommit = true;
    }

    @Override
    public synchronized void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets,
                                         OffsetCommitCallback callback) {
        asyncCommits.add(Map.copyOf(offsets));
        if (!failNextCommit) {
            super.commitAsync(offsets, callback);
            return;
        }
        failNextCommit = false;
        commitCallbacks.add(() -> callback.onComplete(offsets, new KafkaException("commit failed")));
    }

    @Override
    public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
        syncCommits.add(Map.copyOf(offsets));
        if (failNextSyncCommit) {
            failNextSyncCommit = false;
            throw new KafkaException("commit failed");
        }
        super.commitSync(offsets);
    }

    /** Every asynchronous commit asked for, failed ones included, in order. */
    synchronized List<Map<TopicPartition, OffsetAndMetadata>> asyncCommits() {
        return List.copyOf(asyncCommits);
    }

    /** Every synchronous commit, in order: {@link #committed} forgets the partitions no longer assigned. */
    synchronized List<Map<TopicPartition, OffsetAndMetadata>> syncCommits() {
        return List.copyOf(syncCommits);
    }

    /** Runs the callbacks of failed commits, inside the next poll. */
    synchronized void deliverCommitResults() {
        List<Runnable> callbacks = List.copyOf(commitCallbacks);
        commitCallbacks.clear();
        schedulePollTask(() -> callbacks.forEach(Runnable::run));
    }
}

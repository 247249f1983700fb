package io.agentpresence.consumer.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentpresence.consumer.engine.FakeDatabase.Range;
import io.agentpresence.consumer.error.FailureClassifier;
import io.agentpresence.consumer.ops.PresenceMetrics;
import io.agentpresence.model.PresenceEventCodec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The poll loop's state machine, driven one poll at a time on the test's thread: Kafka is a MockConsumer
 * ({@link ScriptedConsumer}), the writer threads run a write only when the test says so, the database is a
 * {@link FakeDatabase} that moves positions compare-and-set, and the back-off's clock moves only when the test
 * moves it.
 */
class PresenceConsumerTest {

    private static final String TOPIC = "agent-presence";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);
    /** RetryBackoff's first wait. */
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    private static final long EVENT_TS = System.currentTimeMillis() - 60_000;
    /** Records the next batch takes while a write is under way (max.poll.records). */
    private static final int BATCH_RECORDS = 4;

    private final ScriptedConsumer consumer = new ScriptedConsumer();
    private final FakeDatabase db = new FakeDatabase();
    private final ManualExecutor writers = new ManualExecutor();
    /** Starts away from 0, which the loop reads as "no database call running". */
    private final AtomicLong nanos = new AtomicLong(Duration.ofHours(1).toNanos());
    private final List<TopicPartition> revoked = new ArrayList<>();
    private final ConsumerListener listener = new ConsumerListener() {
        @Override
        public void onRevoked(Collection<TopicPartition> partitions) {
            revoked.addAll(partitions);
        }
    };
    private final PresenceConsumer loop = new PresenceConsumer(consumer, TOPIC,
            new RecordDecoder(new PresenceEventCodec()), db, db, new FailureClassifier(),
            new PresenceMetrics(new SimpleMeterRegistry()), Duration.ofMillis(1), 1, BATCH_RECORDS, listener, writers,
            new RetryBackoff(RetryBackoff.APPLYING_BATCHES, Duration.ofSeconds(5), nanos::get), nanos::get);

    @BeforeEach
    void subscribe() {
        loop.subscribe();
        consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
    }

    @Test
    void recordsPolledBeforeAFenceAreNeverWritten() {
        assign(P0);
        add(P0, 0, 2);
        loop.pollOnce();
        assertThat(writers.pending()).as("write of [0,2) started").isOne();
        // a restored backup (or a new owner) holds position 1 now
        db.store(0, 1);
        add(P0, 2, 4);
        // the write comes back fenced just after the poll returned [2,4), before the loop looks at either
        consumer.afterNextPoll(writers::runNext);
        loop.pollOnce();

        assertThat(consumer.position(P0)).as("read again from the stored position").isEqualTo(1);
        loop.pollOnce();
        assertThat(writers.pending()).as("nothing polled before the fence is written").isZero();
        readAndWrite(P0, 1, 4);
        assertThat(db.written()).containsExactly(new Range(0, 1, 4));
        assertThat(db.position(0)).isEqualTo(4);
    }

    @Test
    void recordsPolledBeforeAFenceWhoseReadFailsAreNeverWritten() {
        assign(P0);
        add(P0, 0, 2);
        loop.pollOnce();
        db.store(0, 1);
        db.failNextRead(new SQLTransientConnectionException("connection refused"));
        add(P0, 2, 4);
        consumer.afterNextPoll(writers::runNext);
        loop.pollOnce();
        assertThat(loop.isWaiting()).isTrue();

        nanos.addAndGet(FIRST_BACKOFF.toNanos());
        loop.pollOnce();
        assertThat(writers.pending()).as("nothing polled before the fence is written").isZero();
        assertThat(consumer.position(P0)).isEqualTo(1);
        readAndWrite(P0, 1, 4);
        assertThat(db.written()).containsExactly(new Range(0, 1, 4));
    }

    @Test
    void recordsPolledDuringAWriteJoinTheNextBatchUntilItHoldsABatchsWorth() {
        startAWriteWhileTheNextBatchTakes(4);
        assertThat(consumer.paused()).as("the next batch takes more").isEmpty();
        add(P0, 4, 6);
        loop.pollOnce();
        assertThat(consumer.paused()).as("the next batch holds " + BATCH_RECORDS + " records").containsExactly(P0);
        writers.runNext();
        loop.pollOnce();
        writers.runNext();
        loop.pollOnce();

        assertThat(db.written()).containsExactly(new Range(0, 0, 2), new Range(0, 2, 6));
        assertThat(consumer.paused()).isEmpty();
        readAndWrite(P0, 6, 8);
        assertThat(db.written()).endsWith(new Range(0, 6, 8));
    }

    @Test
    void recordsPolledAsAWriteEndsJoinTheNextBatchInsteadOfBeingFetchedAgain() {
        startAWriteWhileTheNextBatchTakes(4);
        // [4,5) in hand when the write under way ends: the next batch has not started, it can take them
        add(P0, 4, 5);
        consumer.afterNextPoll(writers::runNext);
        loop.pollOnce();

        assertThat(consumer.position(P0)).as("nothing sought back to be fetched again").isEqualTo(5);
        writers.runNext();
        loop.pollOnce();
        assertThat(db.written()).containsExactly(new Range(0, 0, 2), new Range(0, 2, 5));
    }

    @Test
    void aFenceDuringAWriteDropsThePrefetchedPollAndContinuesFromTheStoredPosition() {
        startAWriteWhileTheNextBatchTakes(2 + BATCH_RECORDS);
        assertThat(consumer.paused()).as("a batch's worth ahead, then paused").containsExactly(P0);
        db.store(0, 10);
        writers.runNext();
        loop.pollOnce();

        assertThat(consumer.position(P0)).isEqualTo(10);
        assertThat(consumer.paused()).isEmpty();
        readAndWrite(P0, 10, 12);
        assertThat(db.written()).containsExactly(new Range(0, 10, 12));
    }

    @Test
    void aTransientFailureIsRetriedWithTheSameBatchAfterADoublingBackOff() {
        assign(P0);
        add(P0, 0, 2);
        loop.pollOnce();
        db.failNextWrite(new SQLTransientConnectionException("connection refused"));
        db.failNextWrite(new SQLTransientConnectionException("connection refused"));
        writers.runNext();
        loop.pollOnce();
        assertThat(loop.isWaiting()).isTrue();
        assertThat(consumer.paused()).containsExactly(P0);

        nanos.addAndGet(FIRST_BACKOFF.toNanos() - 1);
        loop.pollOnce();
        assertThat(writers.pending()).as("not before the back-off").isZero();
        nanos.addAndGet(1);
        loop.pollOnce();
        writers.runNext();
        loop.pollOnce();
        nanos.addAndGet(2 * FIRST_BACKOFF.toNanos() - 1);
        loop.pollOnce();
        assertThat(writers.pending()).as("the second wait is twice the first").isZero();
        nanos.addAndGet(1);
        loop.pollOnce();
        writers.runNext();
        loop.pollOnce();

        assertThat(db.writes()).isEqualTo(3);
        assertThat(db.written()).containsExactly(new Range(0, 0, 2));
        assertThat(loop.isWaiting()).isFalse();
        assertThat(consumer.paused()).isEmpty();
    }

    @Test
    void aFailedWriteDropsThePrefetchedPollWhichIsReadAgainAfterIt() {
        startAWriteWhileTheNextBatchTakes(4);
        db.failNextWrite(new SQLTransientConnectionException("connection refused"));
        writers.runNext();
        loop.pollOnce();
        assertThat(consumer.position(P0)).isEqualTo(2);

        nanos.addAndGet(FIRST_BACKOFF.toNanos());
        loop.pollOnce();
        writers.runNext();
        loop.pollOnce();
        readAndWrite(P0, 2, 4);
        assertThat(db.written()).containsExactly(new Range(0, 0, 2), new Range(0, 2, 4));
    }

    @Test
    void recordsThatRacedThePauseAreNotWrittenAfterAFailedWriteDropsThePrefetchedPoll() {
        startAWriteWhileTheNextBatchTakes(6);
        assertThat(consumer.paused()).as("a batch's worth ahead, then paused").containsExactly(P0);
        db.failNextWrite(new SQLTransientConnectionException("connection refused"));
        // a fetch under way when the partition was paused brings [6,8) with the poll in which the write fails
        consumer.raceThePause(records(P0, 6, 8));
        consumer.afterNextPoll(writers::runNext);
        loop.pollOnce();

        assertThat(consumer.position(P0)).as("the dropped poll is read again").isEqualTo(2);
        nanos.addAndGet(FIRST_BACKOFF.toNanos());
        loop.pollOnce();
        writers.runNext();
        loop.pollOnce();
        readAndWrite(P0, 2, 8);
        assertThat(db.written()).containsExactly(new Range(0, 0, 2), new Range(0, 2, 8));
    }

    @Test
    void aRevokeDuringAWriteWaitsForItAndHandsOverItsPositionsInKafka() {
        startAWriteOfBothPartitions();
        finishTheWriteInTheNextPollThen(() -> consumer.rebalance(List.of(P0)));

        assertThat(db.written()).containsExactlyInAnyOrder(new Range(0, 0, 2), new Range(1, 0, 3));
        assertThat(consumer.syncCommits()).as("handed over before the partition goes")
                .containsExactly(Map.of(P0, new OffsetAndMetadata(2), P1, new OffsetAndMetadata(3)));
        assertThat(revoked).containsExactly(P1);
        assertThat(consumer.paused()).isEmpty();
    }

    @Test
    void aRevokeWhileAFailedWriteWaitsDropsItAndTheKeptPartitionReadsItAgain() {
        startAWriteOfBothPartitions();
        db.failNextWrite(new SQLTransientConnectionException("connection refused"));
        writers.runNext();
        loop.pollOnce();
        consumer.schedulePollTask(() -> consumer.rebalance(List.of(P0)));
        loop.pollOnce();

        assertThat(consumer.position(P0)).isEqualTo(0);
        assertThat(consumer.paused()).isEmpty();
        nanos.addAndGet(FIRST_BACKOFF.toNanos());
        readAndWrite(P0, 0, 2);
        assertThat(db.written()).containsExactly(new Range(0, 0, 2));
        assertThat(db.position(1)).as("the revoked partition is not written").isNull();
    }

    @Test
    void partitionsLostDuringAWriteAreNotCommittedAndTheKeptOnesContinueFromTheDatabase() {
        startAWriteOfBothPartitions();
        // the new owner of P1 moved on: the batch spanning both partitions is refused as a whole
        db.store(1, 7);
        finishTheWriteInTheNextPollThen(() -> consumer.losePartitions(List.of(P1)));

        assertThat(revoked).containsExactly(P1);
        assertThat(consumer.assignment()).containsExactly(P0);
        assertThat(consumer.committed(Set.of(P1))).doesNotContainKey(P1);
        assertThat(consumer.syncCommits()).isEmpty();
        assertThat(consumer.position(P0)).isEqualTo(0);
        readAndWrite(P0, 0, 2);
        assertThat(db.written()).containsExactly(new Range(0, 0, 2));
        assertThat(db.position(1)).isEqualTo(7);
    }

    @Test
    void aPartitionLostAfterItsWriteIsNeverCommittedInKafkaByThisInstance() {
        startAWriteOfBothPartitions();
        // the write of both partitions succeeds, then P1 is lost before the loop hands Kafka its position
        finishTheWriteInTheNextPollThen(() -> consumer.losePartitions(List.of(P1)));
        readAndWrite(P0, 2, 4);

        assertThat(db.position(1)).as("written before the loss").isEqualTo(3);
        assertThat(consumer.asyncCommits()).as("no commit for a partition another member may own now")
                .isNotEmpty().allSatisfy(commit -> assertThat(commit).doesNotContainKey(P1));
        assertThat(consumer.syncCommits()).allSatisfy(commit -> assertThat(commit).doesNotContainKey(P1));
        assertThat(consumer.committed(Set.of(P0))).containsEntry(P0, new OffsetAndMetadata(4));
    }

    @Test
    void aFailedHandOverCommitLeavesTheRevokedPartitionToItsNextOwnerAndTheLoopGoesOn() {
        startAWriteOfBothPartitions();
        consumer.failNextSyncCommit();
        finishTheWriteInTheNextPollThen(() -> consumer.rebalance(List.of(P0)));
        readAndWrite(P0, 2, 4);

        assertThat(consumer.syncCommits()).as("the hand-over was tried")
                .containsExactly(Map.of(P0, new OffsetAndMetadata(2), P1, new OffsetAndMetadata(3)));
        assertThat(consumer.asyncCommits()).as("P1 is not retried once it is gone")
                .allSatisfy(commit -> assertThat(commit).doesNotContainKey(P1));
        assertThat(consumer.committed(Set.of(P0))).containsEntry(P0, new OffsetAndMetadata(4));
        assertThat(loop.fatalFailure()).isNull();
    }

    @Test
    void aFailedKafkaCommitIsRetriedWithThePositionStoredNowNeverAnOlderOne() {
        assign(P0);
        add(P0, 0, 2);
        loop.pollOnce();
        consumer.failNextCommit();
        writers.runNext();
        loop.pollOnce();
        assertThat(consumer.committed(Set.of(P0))).doesNotContainKey(P0);
        readAndWrite(P0, 2, 4);
        assertThat(consumer.committed(Set.of(P0))).containsEntry(P0, new OffsetAndMetadata(4));

        // the failure of the older commit arrives after the newer one succeeded
        consumer.deliverCommitResults();
        loop.pollOnce();
        assertThat(consumer.committed(Set.of(P0))).containsEntry(P0, new OffsetAndMetadata(4));
    }

    @Test
    void aFailedKafkaCommitIsRetriedAfterTheNextPoll() {
        assign(P0);
        add(P0, 0, 2);
        loop.pollOnce();
        consumer.failNextCommit();
        writers.runNext();
        loop.pollOnce();
        consumer.deliverCommitResults();
        loop.pollOnce();

        assertThat(consumer.committed(Set.of(P0))).containsEntry(P0, new OffsetAndMetadata(2));
    }

    @Test
    void aFailedPositionReadKeepsThePartitionPausedUntilARetryAfterTheBackOff() {
        db.store(0, 5);
        db.failNextRead(new SQLTransientConnectionException("connection refused"));
        assign(P0);
        assertThat(consumer.paused()).containsExactly(P0);
        assertThat(loop.isWaiting()).isTrue();
        loop.pollOnce();
        assertThat(consumer.paused()).containsExactly(P0);

        nanos.addAndGet(FIRST_BACKOFF.toNanos());
        loop.pollOnce();
        assertThat(consumer.paused()).isEmpty();
        assertThat(consumer.position(P0)).isEqualTo(5);
        assertThat(loop.isWaiting()).isFalse();
    }

    @Test
    void aPartitionWhoseFetchPositionLeftTheLogIsPositionedFromTheDatabaseAgain() {
        assign(P0, P1);
        readAndWrite(P0, 0, 2);
        // records below 7 were removed from P0's log while it was read: the stored position 2 says what was applied
        db.startLogAt(0, 7);
        consumer.setPollException(new OffsetOutOfRangeException(Map.of(P0, 2L)));
        loop.pollOnce();

        assertThat(db.reads()).as("P0 positioned again from the database").containsExactly(Set.of(P0, P1), Set.of(P0));
        assertThat(consumer.position(P0)).isEqualTo(7);
        assertThat(consumer.paused()).isEmpty();
        readAndWrite(P0, 7, 9);
        assertThat(db.written()).containsExactly(new Range(0, 0, 2), new Range(0, 7, 9));
        assertThat(loop.fatalFailure()).isNull();
    }

    @Test
    void aBatchHeldForARetryIsNotWrittenOnceItsPartitionIsPositionedPastIt() {
        assign(P0);
        readAndWrite(P0, 0, 2);
        add(P0, 2, 4);
        loop.pollOnce();
        assertThat(writers.pending()).as("write of [2,4) started").isOne();
        db.failNextWrite(new SQLTransientConnectionException("connection refused"));
        // while [2,4) is written, the next fetch finds records below 7 removed
        db.startLogAt(0, 7);
        consumer.setPollException(new OffsetOutOfRangeException(Map.of(P0, 4L)));
        loop.pollOnce();
        writers.runNext();
        loop.pollOnce();
        nanos.addAndGet(FIRST_BACKOFF.toNanos());
        loop.pollOnce();

        assertThat(writers.pending()).as("[2,4), fetched before the re-positioning, is not written").isZero();
        assertThat(consumer.position(P0)).isEqualTo(7);
        readAndWrite(P0, 7, 9);
        assertThat(db.written()).containsExactly(new Range(0, 0, 2), new Range(0, 7, 9));
        assertThat(db.position(0)).isEqualTo(9);
    }

    @Test
    void aPartitionWaitingForItsPositionReadHasAFetchPositionSoThePollDoesNotFail() {
        db.failNextRead(new SQLTransientConnectionException("connection refused"));
        assign(P0);
        loop.pollOnce();

        assertThat(consumer.paused()).containsExactly(P0);
        assertThat(consumer.position(P0)).as("a fetch position while it waits, never fetched from").isZero();
        nanos.addAndGet(FIRST_BACKOFF.toNanos());
        loop.pollOnce();
        readAndWrite(P0, 0, 2);
        assertThat(db.written()).containsExactly(new Range(0, 0, 2));
        assertThat(consumer.pollsWithoutPosition()).as("polls that failed for want of a fetch position").isZero();
    }

    @Test
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void stopDuringARetryEndsTheLoopAtTheWakeUpWithoutAnotherAttempt() {
        assign(P0);
        add(P0, 0, 2);
        loop.pollOnce();
        db.failNextWrite(new SQLTransientConnectionException("connection refused"));
        writers.runNext();
        loop.pollOnce();
        assertThat(loop.isWaiting()).isTrue();

        // the retry is due, and stop() comes from another thread while the loop is inside a poll
        nanos.addAndGet(FIRST_BACKOFF.toNanos());
        consumer.schedulePollTask(loop::stop);
        loop.runUntilStopped();

        assertThat(db.writes()).as("no attempt after the stop").isOne();
        assertThat(writers.pending()).as("no write handed over after the stop").isZero();
        assertThat(loop.fatalFailure()).isNull();
        assertThat(consumer.closed()).isTrue();
        assertThat(writers.isShutdown()).isTrue();
    }

    @Test
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void stopAfterAWriteCommitsItsPositionsBeforeClosing() {
        assign(P0);
        add(P0, 0, 2);
        loop.pollOnce();
        consumer.schedulePollTask(() -> {
            writers.runNext();
            loop.stop();
        });
        loop.runUntilStopped();

        assertThat(db.position(0)).isEqualTo(2);
        assertThat(consumer.syncCommits()).as("committed at shutdown")
                .containsExactly(Map.of(P0, new OffsetAndMetadata(2)));
        assertThat(consumer.closed()).isTrue();
    }

    @Test
    void aFatalFailureStopsTheLoopAndClosesTheConsumer() {
        assign(P0);
        add(P0, 0, 2);
        loop.pollOnce();
        db.failNextWrite(new IllegalStateException("a bug"));
        writers.runNext();

        loop.runUntilStopped();

        assertThat(loop.fatalFailure()).hasMessageContaining("cannot apply presence events");
        assertThat(consumer.closed()).isTrue();
        assertThat(db.written()).isEmpty();
    }

    @Test
    void aWriteThatHangsCountsAsWaiting() {
        assign(P0);
        add(P0, 0, 2);
        loop.pollOnce();
        assertThat(loop.isWaiting()).isFalse();

        nanos.addAndGet(PresenceConsumer.STALLED.toNanos() + 1);
        assertThat(loop.isWaiting()).isTrue();
    }

    @Test
    void aWriteThatHangsStillCountsAsWaitingAfterAPartitionIsAssignedMeanwhile() {
        assign(P0);
        add(P0, 0, 2);
        loop.pollOnce();
        // cooperative rebalancing adds a partition while the write is under way; its position is read at once
        assign(P0, P1);

        nanos.addAndGet(PresenceConsumer.STALLED.toNanos() + 1);
        assertThat(loop.isWaiting()).isTrue();
    }

    @Test
    void aPartitionWhosePositionCannotBeReadKeepsTheLoopWaitingWhileAWriteOfAnotherSucceeds() {
        assign(P0);
        add(P0, 0, 2);
        loop.pollOnce();
        db.failNextRead(new SQLTransientConnectionException("connection refused"));
        assign(P0, P1);
        writers.runNext();
        loop.pollOnce();

        assertThat(db.written()).containsExactly(new Range(0, 0, 2));
        assertThat(consumer.paused()).contains(P1);
        assertThat(loop.isWaiting()).as("P1 still waits for its position").isTrue();

        nanos.addAndGet(FIRST_BACKOFF.toNanos());
        loop.pollOnce();
        assertThat(consumer.paused()).doesNotContain(P1);
        assertThat(loop.isWaiting()).isFalse();
    }

    /** Both partitions assigned, P0's [0,2) and P1's [0,3) polled, and their write handed to a writer. */
    private void startAWriteOfBothPartitions() {
        assign(P0, P1);
        add(P0, 0, 2);
        add(P1, 0, 3);
        loop.pollOnce();
    }

    /** P0's [0,2) being written, and [2,end) polled meanwhile into the next batch. */
    private void startAWriteWhileTheNextBatchTakes(int end) {
        assign(P0);
        add(P0, 0, 2);
        loop.pollOnce();
        add(P0, 2, end);
        loop.pollOnce();
    }

    /** The next poll: the write under way ends inside it, then {@code rebalance} runs, as the real client runs one. */
    private void finishTheWriteInTheNextPollThen(Runnable rebalance) {
        consumer.schedulePollTask(() -> {
            writers.runNext();
            rebalance.run();
        });
        loop.pollOnce();
    }

    /** A rebalance to {@code partitions}, run inside a poll as the real client runs it. */
    private void assign(TopicPartition... partitions) {
        consumer.schedulePollTask(() -> consumer.rebalance(List.of(partitions)));
        loop.pollOnce();
    }

    /** The log hands out {@code [from, to)} at the next polls; MockConsumer keeps no log: a re-read adds them again. */
    private void add(TopicPartition tp, long from, long to) {
        records(tp, from, to).forEach(consumer::addRecord);
    }

    private static List<ConsumerRecord<byte[], byte[]>> records(TopicPartition tp, long from, long to) {
        return LongStream.range(from, to).mapToObj(offset -> {
            String user = "u" + tp.partition() + "-" + offset;
            String value = "{\"userId\":\"" + user + "\",\"status\":\"online\",\"ts\":" + (EVENT_TS + offset) + "}";
            return new ConsumerRecord<>(tp.topic(), tp.partition(), offset, user.getBytes(StandardCharsets.UTF_8),
                    value.getBytes(StandardCharsets.UTF_8));
        }).toList();
    }

    /** Polls {@code [from, to)} and writes it through: the write starts, finishes, and is booked. */
    private void readAndWrite(TopicPartition tp, long from, long to) {
        add(tp, from, to);
        loop.pollOnce();
        assertThat(writers.pending()).as("write of [%d,%d) started", from, to).isOne();
        writers.runNext();
        loop.pollOnce();
    }
}

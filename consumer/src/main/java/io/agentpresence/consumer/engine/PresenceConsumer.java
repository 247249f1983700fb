package io.agentpresence.consumer.engine;

import io.agentpresence.consumer.error.FailureClassifier;
import io.agentpresence.consumer.error.Verdict;
import io.agentpresence.consumer.ops.ActivitySummary;
import io.agentpresence.consumer.ops.PresenceMetrics;
import io.agentpresence.consumer.sink.FencedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.NoOffsetForPartitionException;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poll loop. Each poll becomes batches (at most one per writer) that are applied in full — dead letters, rows
 * and partition positions, then the Kafka commit — while the loop already polls and decodes the next batches: the
 * polls that come meanwhile join them until they hold {@code max.poll.records}, so what arrives during a write waits
 * for that write and its own, not for another one in between. While the infrastructure fails, the batch is kept,
 * the partitions are paused and polling goes on (so the group keeps this member), with exponential back-off between
 * attempts. On assignment it seeks to the positions stored with the data, and so it does when records were removed
 * below a fetch position: Kafka never moves one by itself ({@code auto.offset.reset=none}), so a loss is logged and
 * counted, never skipped silently.
 *
 * <p>Threads, and what each may touch:
 * <ul>
 * <li>The <b>poll thread</b> ({@code presence-consumer}, started by the composition root) runs {@link #run()}:
 *     it alone calls the Kafka consumer (but for {@code wakeup}; {@link KafkaCommits} calls it on its behalf),
 *     and it alone reads and changes the {@link WritePipeline}, the {@link PositionBook} and the back-off.
 *     Rebalance callbacks and Kafka commit callbacks run on it, inside {@code poll} or a commit, and so do the
 *     {@link ConsumerListener} hooks and the {@link PositionReader} (a pooled connection, the admin client).</li>
 * <li>The <b>writer threads</b> ({@code presence-writer-1} to {@code -N}) each run {@link Applier#apply} on
 *     one batch handed over by the poll thread, with positions computed before the hand-over; they touch that
 *     batch, a pooled connection, the dead-letter producer they share (its sends wait for the acknowledgement)
 *     and the meters, both thread-safe. The last to finish wakes the consumer up, so a poll that waits for
 *     records the paused partitions cannot bring returns at once.</li>
 * <li>The <b>HTTP server threads</b> ({@code presence-http-1..4}) read {@link #isWaiting()} (volatile fields) for
 *     {@code /health/ready}.</li>
 * <li>Beside the loop, the <b>tombstone pruner</b> ({@code presence-tombstone-pruner}) deletes old deletion
 *     records through a pooled connection of its own; it shares no state with the loop.</li>
 * <li>The <b>caller of close</b> (the shutdown hook {@code presence-shutdown}, or a test) calls {@link #stop()}:
 *     a volatile flag and {@code consumer.wakeup()}; the poll thread finishes the write under way, commits
 *     and closes the consumer.</li>
 * </ul>
 */
public final class PresenceConsumer implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(PresenceConsumer.class);
    static final Duration STALLED = Duration.ofSeconds(2);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final Consumer<byte[], byte[]> consumer;
    private final String topic;
    private final RecordDecoder decoder;
    private final PositionReader positionReader;
    private final FailureClassifier classifier;
    private final PresenceMetrics metrics;
    private final Duration pollTimeout;
    private final ConsumerListener listener;
    private final int writers;
    /** Records the next batch takes, over as many polls as come while a write is under way. */
    private final int batchRecords;
    private final ExecutorService writerThreads;
    private final WritePipeline pipeline;
    private final PositionBook book = new PositionBook();
    private final KafkaCommits commits;
    private final RetryBackoff retry;
    private final LongSupplier nanoClock;
    private final ActivitySummary summary;
    private volatile boolean stopping;
    /**
     * When the write under way, and the position read under way, began (0: none running); a call that hangs
     * counts as waiting too. Two fields: a rebalance reads positions while a write may be under way.
     */
    private volatile long writeStartedNanos;
    private volatile long readStartedNanos;
    private volatile Throwable fatal;

    public PresenceConsumer(Consumer<byte[], byte[]> consumer, String topic, RecordDecoder decoder, Applier applier,
                            PositionReader positionReader, FailureClassifier classifier, PresenceMetrics metrics,
                            Duration pollTimeout, Duration maxBackoff, int writers, int batchRecords,
                            ConsumerListener listener) {
        this(consumer, topic, decoder, applier, positionReader, classifier, metrics, pollTimeout, writers, batchRecords,
                listener, writerThreads(writers), new RetryBackoff(RetryBackoff.APPLYING_BATCHES, maxBackoff),
                System::nanoTime);
    }

    /** With the writer threads, the back-off and the clock given, so a test decides when writes finish. */
    PresenceConsumer(Consumer<byte[], byte[]> consumer, String topic, RecordDecoder decoder, Applier applier,
                     PositionReader positionReader, FailureClassifier classifier, PresenceMetrics metrics,
                     Duration pollTimeout, int writers, int batchRecords, ConsumerListener listener,
                     ExecutorService writerThreads, RetryBackoff retry, LongSupplier nanoClock) {
        this.consumer = consumer;
        this.topic = topic;
        this.decoder = decoder;
        this.positionReader = positionReader;
        this.classifier = classifier;
        this.metrics = metrics;
        this.pollTimeout = pollTimeout;
        this.listener = listener;
        this.writers = writers;
        this.batchRecords = batchRecords;
        this.writerThreads = writerThreads;
        this.pipeline = new WritePipeline(applier, writerThreads);
        this.commits = new KafkaCommits(consumer, book);
        this.retry = retry;
        this.nanoClock = nanoClock;
        this.summary = new ActivitySummary(metrics);
    }

    private static ExecutorService writerThreads(int writers) {
        AtomicInteger number = new AtomicInteger();
        return Executors.newFixedThreadPool(writers, r -> {
            Thread t = new Thread(r, "presence-writer-" + number.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void run() {
        subscribe();
        runUntilStopped();
    }

    void subscribe() {
        consumer.subscribe(List.of(topic), new Rebalance());
    }

    /** Polls until {@link #stop()}, then finishes the write under way, commits and closes the consumer. */
    void runUntilStopped() {
        try {
            while (!stopping) {
                pollOnce();
            }
            awaitWrite();
            commits.commitSync();
        } catch (RuntimeException | Error e) {
            fatal = e;
            // describe: Kafka wraps what a rebalance callback throws, and the cause is what says why
            LOG.error("Stopping: {}", describe(e), e);
        } finally {
            writerThreads.shutdownNow();
            consumer.close(CLOSE_TIMEOUT);
            LOG.info("Consumer closed");
        }
    }

    /** One turn of the loop: a poll, then what its records and the write under way call for. */
    void pollOnce() {
        ConsumerRecords<byte[], byte[]> records;
        try {
            records = consumer.poll(pollTimeout);
        } catch (WakeupException e) {
            // stop(), or a finished write, interrupts a blocked poll; the loop goes on or ends
            records = ConsumerRecords.empty();
        } catch (OffsetOutOfRangeException e) {
            // records were removed below the fetch position while it was read (auto.offset.reset=none): the database
            // says what was applied, and the position check counts what was lost
            LOG.warn("Fetch positions {} are no longer in the log (retention or delete-records); continuing from the"
                    + " positions in the database", e.offsetOutOfRangePartitions());
            positionAgain(e.partitions());
            records = ConsumerRecords.empty();
        } catch (NoOffsetForPartitionException e) {
            // a partition waiting for its position read is given a fetch position at once; should one lack it, the
            // database decides here too
            positionAgain(e.partitions());
            records = ConsumerRecords.empty();
        }
        // after the poll: a seek inside it (a rebalance callback) comes before its records, the client saw to that
        long polledAt = book.mark();
        if (!stopping) {
            step(records, polledAt);
        }
    }

    private void step(ConsumerRecords<byte[], byte[]> polled, long polledAt) {
        metrics.lag(lag());
        summary.maybeLog(retry.isWaiting());
        if (pipeline.isWriteDone()) {
            finishWrite();
            commits.commitAsync();
        }
        ConsumerRecords<byte[], byte[]> records = current(polled, polledAt);
        if (!records.isEmpty()) {
            accept(records);
        }
        if (pipeline.isWriting()) {
            return;
        }
        boolean due = retry.isDue();
        if (due && !book.allPositioned()) {
            if (pipeline.touches(book.unpositioned())) {
                // fetched before their partition was re-positioned: never written against its new position
                seekToFirst(pipeline.dropAll());
            }
            positionFromDatabase(book.unpositioned());
        }
        if (due && pipeline.hasHeld() && book.allPositioned()) {
            startWrite();
        } else if (!pipeline.hasHeld() && book.hasUncommitted()) {
            commits.commitAsync();
        }
    }

    /**
     * Decodes a poll into the batches to write now, or into the next ones: those taken while a write is under way, or
     * those held, not yet started, when it has just ended (sought back instead, they would wait for a fetch that
     * the broker may hold until {@code fetch.max.wait.ms}).
     */
    private void accept(ConsumerRecords<byte[], byte[]> records) {
        List<PendingBatch> next = pipeline.joinable();
        if (!pipeline.isIdle() && (retry.isWaiting() || PendingBatch.recordCount(next) >= batchRecords)) {
            // fetched while batches wait for a retry, or when the next ones are full (a pause raced a fetch): leave
            // them for after those batches
            rewind(records);
            return;
        }
        metrics.consumed(records.count());
        PendingBatch.decodeInto(next, records, decoder, metrics, writers);
        // what comes while the write is under way waits for that write and its own, not another in between; once the
        // next batches are full, nothing more is fetched until the write is done
        if (pipeline.isWriting() && PendingBatch.recordCount(next) >= batchRecords) {
            consumer.pause(consumer.assignment());
        }
    }

    /**
     * The polled records that may be written: a partition re-positioned since the poll (a fence, a dropped batch,
     * a failed position read) reads from its new position, and what was fetched before is discarded, never
     * written against it.
     */
    private ConsumerRecords<byte[], byte[]> current(ConsumerRecords<byte[], byte[]> polled, long polledAt) {
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> current = new HashMap<>();
        for (TopicPartition tp : polled.partitions()) {
            if (book.isCurrent(tp, polledAt)) {
                current.put(tp, polled.records(tp));
            } else {
                LOG.debug("Discarding {} records of {} fetched before it was re-positioned", polled.records(tp).size(),
                        tp);
            }
        }
        return current.size() == polled.partitions().size() ? polled : new ConsumerRecords<>(current, Map.of());
    }

    private void rewind(ConsumerRecords<byte[], byte[]> records) {
        records.partitions().forEach(tp -> seek(tp, records.records(tp).get(0).offset()));
    }

    /** Every seek goes through here (or {@link #seekToBeginning}), so records fetched before it are known as such. */
    private void seek(TopicPartition tp, long offset) {
        book.moved(tp);
        consumer.seek(tp, offset);
    }

    /**
     * Gives partitions that wait for their stored position a fetch position, without which every poll fails
     * (auto.offset.reset=none); they stay paused and unpositioned, so nothing is fetched from it.
     */
    private void seekToBeginning(Collection<TopicPartition> partitions) {
        partitions.forEach(book::moved);
        consumer.seekToBeginning(partitions);
    }

    /** Partitions with no usable fetch position: their stored position is read again when no write is under way. */
    private void positionAgain(Collection<TopicPartition> partitions) {
        List<TopicPartition> owned = partitions.stream().filter(consumer.assignment()::contains).toList();
        book.needPosition(owned);
        consumer.pause(owned);
        seekToBeginning(owned);
    }

    /** Records behind the end of the assigned partitions, from the last fetch's metadata (no broker call). */
    private long lag() {
        long total = 0;
        for (TopicPartition tp : consumer.assignment()) {
            total += consumer.currentLag(tp).orElse(0);
        }
        return total;
    }

    /** Asks the loop to finish its current batch and close; returns at once, from any thread. */
    public void stop() {
        stopping = true;
        consumer.wakeup();
    }

    /**
     * True while the loop waits for the database (or the dead-letter topic) to come back, or while a call to
     * it has hung for longer than {@link #STALLED}: a dead pooled connection can block for the pool timeout.
     */
    public boolean isWaiting() {
        return retry.isWaiting() || stalled(writeStartedNanos) || stalled(readStartedNanos);
    }

    private boolean stalled(long startedNanos) {
        return startedNanos != 0 && nanoClock.getAsLong() - startedNanos > STALLED.toNanos();
    }

    /** The failure that stopped the loop, if one did. */
    public Throwable fatalFailure() {
        return fatal;
    }

    /** Starts writing the held batches, in parallel on the writer threads; the loop polls meanwhile. */
    private void startWrite() {
        writeStartedNanos = nanoClock.getAsLong();
        // a poll waiting for records that cannot come (partitions paused) should notice at once
        String topicId = positionReader.topicId();
        pipeline.start(batch -> book.positionsFor(batch, topicId), consumer::wakeup);
    }

    /** Waits for the write under way, if any, and books its outcome; for rebalances and shutdown. */
    private void awaitWrite() {
        if (pipeline.isWriting()) {
            finishWrite();
        }
    }

    /** Books a finished write: the positions of what succeeded (its Kafka commit follows), what failed for a retry. */
    private void finishWrite() {
        List<WritePipeline.Outcome> outcomes = pipeline.finish();
        writeStartedNanos = 0;
        Exception failure = null;
        boolean fenced = false;
        for (WritePipeline.Outcome outcome : outcomes) {
            if (outcome.error() == null) {
                book.written(outcome.batch().nextOffsets());
                listener.onBatchCommitted(outcome.batch().nextOffsets().keySet(), outcome.batch().recordCount());
            }
        }
        for (WritePipeline.Outcome outcome : outcomes) {
            if (outcome.error() instanceof FencedException) {
                fenced = true;
                LOG.warn("Stored position moved ({}); continuing from the positions in the database",
                        outcome.error().getMessage());
            } else if (outcome.error() != null && classifier.classify(outcome.error()) == Verdict.FATAL) {
                throw new IllegalStateException("cannot apply presence events: " + describe(outcome.error()),
                        outcome.error());
            } else if (outcome.error() != null) {
                failure = outcome.error();
            }
        }
        if (fenced || failure != null) {
            // the next poll's batches may only follow this one: read them again once it is written
            seekToFirst(pipeline.dropPrefetched());
        }
        if (fenced) {
            metrics.fenced();
            pipeline.dropAll();
            positionFromDatabase(new ArrayList<>(consumer.assignment()));
        } else if (failure != null) {
            holdForRetry(failure);
        } else {
            if (book.allPositioned()) {
                // a partition whose position could not be read still waits for its retry
                retry.recovered();
            }
            pipeline.promotePrefetched();
            resumePositioned();
        }
    }

    /** Seeks the partitions of forgotten batches back to their first records, to be read again. */
    private void seekToFirst(List<PendingBatch> dropped) {
        for (PendingBatch batch : dropped) {
            batch.firstOffsets().forEach((tp, first) -> {
                if (consumer.assignment().contains(tp)) {
                    seek(tp, first);
                }
            });
        }
    }

    private void holdForRetry(Exception e) {
        metrics.retried();
        retry.failed(describe(e));
        consumer.pause(consumer.assignment());
    }

    /**
     * Reads stored positions, checked against the topic as it is now, and seeks to them; a partition with none
     * stored starts from the beginning, since the database is what says what has been applied. On failure the
     * partitions stay paused for a retry; positions that cannot be used stop the loop ({@link PositionCheck}).
     */
    private void positionFromDatabase(Collection<TopicPartition> partitions) {
        book.needPosition(partitions);
        consumer.pause(partitions);
        Map<TopicPartition, PositionCheck.Start> starts;
        readStartedNanos = nanoClock.getAsLong();
        try {
            starts = positionReader.read(partitions);
        } catch (PositionException e) {
            // positions that cannot be used in the topic as it is now: retrying cannot help, an operator decides
            throw e;
        } catch (Exception e) {
            if (classifier.classify(e) == Verdict.FATAL) {
                throw new IllegalStateException("cannot read stored positions: " + describe(e), e);
            }
            seekToBeginning(partitions);
            holdForRetry(e);
            return;
        } finally {
            readStartedNanos = 0;
        }
        starts.forEach((tp, start) -> {
            seek(tp, start.offset());
            book.positioned(tp, start.stored());
        });
        if (!pipeline.hasHeld()) {
            retry.recovered();
            resumePositioned();
        }
    }

    private void resumePositioned() {
        consumer.resume(consumer.paused().stream().filter(book::isPositioned).toList());
    }

    /** Forgets batches that span partitions this instance no longer owns; the kept partitions re-read them. */
    private void release(Collection<TopicPartition> gone) {
        awaitWrite();
        if (pipeline.touches(gone)) {
            // order per partition: a later batch is dropped with an earlier one
            seekToFirst(pipeline.dropAll());
        }
        book.forget(gone);
        if (!pipeline.hasHeld()) {
            resumePositioned();
        }
    }

    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? e.toString() : e + " (cause: " + root + ")";
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                LOG.info("Partitions revoked: {}", partitions);
                release(partitions);
                // last chance to hand the new owner's lag tools the positions already in the database
                commits.commitSync();
                listener.onRevoked(partitions);
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                LOG.info("Partitions assigned: {}", partitions);
                listener.onAssigned(partitions);
                positionFromDatabase(partitions);
            }
            if (pipeline.hasHeld()) {
                // a batch is waiting for the database: nothing new is fetched until it is written
                consumer.pause(consumer.assignment());
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            LOG.warn("Partitions lost without a clean hand-over: {}", partitions);
            release(partitions);
            listener.onRevoked(partitions);
        }
    }
}

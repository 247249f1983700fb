package io.agentpresence.consumer.engine;

import io.agentpresence.consumer.error.FailureClassifier;
import io.agentpresence.consumer.error.Verdict;
import io.agentpresence.consumer.ops.ActivitySummary;
import io.agentpresence.consumer.ops.PresenceMetrics;
import io.agentpresence.consumer.sink.FencedException;
import io.agentpresence.consumer.sink.PartitionPosition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poll loop. Each poll becomes batches (one per writer) that are applied in full — dead letters, rows and
 * partition positions, then the Kafka commit — while the loop already polls and decodes the next one. While
 * the infrastructure fails, the batch is kept, the partitions are paused and polling goes on (so the group
 * keeps this member), with exponential back-off between attempts. On assignment it seeks to the positions
 * stored with the data.
 */
public final class PresenceConsumer implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(PresenceConsumer.class);
    static final Duration STALLED = Duration.ofSeconds(2);

    private final Consumer<byte[], byte[]> consumer;
    private final String topic;
    private final RecordDecoder decoder;
    private final BatchApplier applier;
    private final PositionReader positionReader;
    private final FailureClassifier classifier;
    private final PresenceMetrics metrics;
    private final Duration pollTimeout;
    private final ConsumerListener listener;

    /** Positions the database holds for owned partitions, as far as this instance knows (absent: none). */
    private final Map<TopicPartition, Long> stored = new HashMap<>();
    /** Owned partitions whose stored position could not be read yet; they stay paused until it is. */
    private final Set<TopicPartition> unpositioned = new HashSet<>();
    /** Positions written to the database whose Kafka commit failed; retried so lag tools catch up. */
    private final Map<TopicPartition, OffsetAndMetadata> uncommitted = new HashMap<>();
    /** The batches (one per writer) being written or waiting to be; empty when idle. */
    private final List<PendingBatch> held = new ArrayList<>();
    /** The next poll's batches, decoded while {@link #held} is written; their partitions stay paused meanwhile. */
    private final List<PendingBatch> next = new ArrayList<>();
    /** The write of {@link #held} under way on the writer threads; null when none is. */
    private CompletableFuture<List<Outcome>> inFlight;
    private final int writers;
    private final ExecutorService writerThreads;
    private final RetryBackoff retry;
    private final ActivitySummary summary;
    private volatile boolean stopping;
    /** When the current database call began (0: none running); a call that hangs counts as waiting too. */
    private volatile long callStartedNanos;
    private volatile Throwable fatal;

    public PresenceConsumer(Consumer<byte[], byte[]> consumer, String topic, RecordDecoder decoder, BatchApplier applier,
                     PositionReader positionReader, FailureClassifier classifier, PresenceMetrics metrics,
                     Duration pollTimeout, Duration maxBackoff, int writers, ConsumerListener listener) {
        this.consumer = consumer;
        this.topic = topic;
        this.decoder = decoder;
        this.applier = applier;
        this.positionReader = positionReader;
        this.classifier = classifier;
        this.metrics = metrics;
        this.pollTimeout = pollTimeout;
        this.retry = new RetryBackoff(maxBackoff);
        this.summary = new ActivitySummary(metrics);
        this.listener = listener;
        this.writers = writers;
        this.writerThreads = Executors.newFixedThreadPool(writers, r -> {
            Thread t = new Thread(r, "presence-writer");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void run() {
        consumer.subscribe(List.of(topic), new Rebalance());
        try {
            while (!stopping) {
                ConsumerRecords<byte[], byte[]> records;
                try {
                    records = consumer.poll(pollTimeout);
                } catch (WakeupException e) {
                    // stop(), or a finished write, interrupts a blocked poll; the loop goes on or ends
                    records = ConsumerRecords.empty();
                }
                if (!stopping) {
                    step(records);
                }
            }
            awaitWrite();
            commitToKafka(true);
        } catch (RuntimeException | Error e) {
            fatal = e;
            // describe: Kafka wraps what a rebalance callback throws, and the cause is what says why
            LOG.error("Stopping: {}", describe(e), e);
        } finally {
            writerThreads.shutdownNow();
            consumer.close(Duration.ofSeconds(5));
            LOG.info("Consumer closed");
        }
    }

    private void step(ConsumerRecords<byte[], byte[]> records) {
        metrics.lag(lag());
        summary.maybeLog(retry.isWaiting());
        if (inFlight != null && inFlight.isDone()) {
            finishWrite();
            commitToKafka(false);
        }
        if (!records.isEmpty()) {
            accept(records);
        }
        if (inFlight != null) {
            return;
        }
        boolean due = retry.isDue();
        if (due && !unpositioned.isEmpty()) {
            positionFromDatabase(List.copyOf(unpositioned));
        }
        if (due && !held.isEmpty() && unpositioned.isEmpty()) {
            startWrite();
        } else if (held.isEmpty() && !uncommitted.isEmpty()) {
            commitToKafka(false);
        }
    }

    /** Decodes a poll into the batches to write now, or next while a write is under way. */
    private void accept(ConsumerRecords<byte[], byte[]> records) {
        if (held.isEmpty() && inFlight == null) {
            metrics.consumed(records.count());
            held.addAll(PendingBatch.decode(records, decoder, metrics, writers));
        } else if (inFlight != null && next.isEmpty() && !retry.isWaiting()) {
            metrics.consumed(records.count());
            next.addAll(PendingBatch.decode(records, decoder, metrics, writers));
            // one poll ahead is enough: nothing more is fetched until the write under way is done
            consumer.pause(consumer.assignment());
        } else {
            // fetched while batches wait (a pause raced a fetch): leave them for after those batches
            rewind(records);
        }
    }

    private void rewind(ConsumerRecords<byte[], byte[]> records) {
        records.partitions().forEach(tp -> consumer.seek(tp, records.records(tp).get(0).offset()));
    }

    /** Records behind the end of the assigned partitions, from the last fetch's metadata (no broker call). */
    private long lag() {
        long total = 0;
        for (TopicPartition tp : consumer.assignment()) {
            total += consumer.currentLag(tp).orElse(0);
        }
        return total;
    }

    /** Asks the loop to finish its current batch and close; returns at once. */
    public void stop() {
        stopping = true;
        consumer.wakeup();
    }

    /**
     * True while the loop waits for the database (or the dead-letter topic) to come back, or while a call to
     * it has hung for longer than {@link #STALLED}: a dead pooled connection can block for the pool timeout.
     */
    public boolean isWaiting() {
        long started = callStartedNanos;
        return retry.isWaiting() || (started != 0 && System.nanoTime() - started > STALLED.toNanos());
    }

    /** The failure that stopped the loop, if one did. */
    public Throwable fatalFailure() {
        return fatal;
    }

    /** Starts writing the held batches, in parallel on the writer threads; the loop polls meanwhile. */
    private void startWrite() {
        callStartedNanos = System.nanoTime();
        List<CompletableFuture<Outcome>> writes = new ArrayList<>();
        for (PendingBatch batch : List.copyOf(held)) {
            List<PartitionPosition> positions = positions(batch);
            writes.add(CompletableFuture.supplyAsync(() -> apply(batch, positions), writerThreads));
        }
        inFlight = CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
                .thenApply(done -> writes.stream().map(CompletableFuture::join).toList());
        // a poll waiting for records that cannot come (partitions paused) should notice at once
        inFlight.whenComplete((outcomes, error) -> consumer.wakeup());
    }

    /** Waits for the write under way, if any, and books its outcome; for rebalances and shutdown. */
    private void awaitWrite() {
        if (inFlight != null) {
            inFlight.join();
            finishWrite();
        }
    }

    /** Books a finished write: the positions of what succeeded (its Kafka commit follows), what failed for a retry. */
    private void finishWrite() {
        List<Outcome> outcomes = inFlight.join();
        inFlight = null;
        callStartedNanos = 0;
        Exception failure = null;
        boolean fenced = false;
        for (Outcome outcome : outcomes) {
            if (outcome.error() == null) {
                committed(outcome.batch());
            }
        }
        for (Outcome outcome : outcomes) {
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
            drop(next);
        }
        if (fenced) {
            metrics.fenced();
            held.clear();
            positionFromDatabase(new ArrayList<>(consumer.assignment()));
        } else if (failure != null) {
            holdForRetry(failure);
        } else {
            retry.recovered();
            held.addAll(next);
            next.clear();
            resumePositioned();
        }
    }

    /** Forgets batches and seeks their partitions back to their first records, to be read again. */
    private void drop(List<PendingBatch> batches) {
        for (PendingBatch batch : batches) {
            batch.firstOffsets().forEach((tp, first) -> {
                if (consumer.assignment().contains(tp)) {
                    consumer.seek(tp, first);
                }
            });
        }
        batches.clear();
    }

    private record Outcome(PendingBatch batch, Exception error) {
    }

    private Outcome apply(PendingBatch batch, List<PartitionPosition> positions) {
        try {
            applier.apply(batch, positions);
            return new Outcome(batch, null);
        } catch (Exception e) {
            // judged on the loop thread, with the other writers' outcomes
            return new Outcome(batch, e);
        }
    }

    private void committed(PendingBatch batch) {
        held.remove(batch);
        batch.nextOffsets().forEach((tp, next) -> {
            stored.put(tp, next);
            uncommitted.put(tp, new OffsetAndMetadata(next));
        });
        listener.onBatchCommitted(batch.nextOffsets().keySet(), batch.recordCount());
    }

    private List<PartitionPosition> positions(PendingBatch batch) {
        List<PartitionPosition> positions = new ArrayList<>();
        batch.nextOffsets().forEach((tp, next) -> {
            Long expected = stored.get(tp);
            if (expected == null || expected.longValue() != next) {
                positions.add(new PartitionPosition(tp.topic(), tp.partition(), positionReader.topicId(), expected, next));
            }
        });
        return positions;
    }

    private void holdForRetry(Exception e) {
        metrics.retried();
        retry.failed(describe(e));
        consumer.pause(consumer.assignment());
    }

    /**
     * Hands Kafka the positions written since the last commit (and any whose commit failed), for lag tools. The
     * database holds the positions that count, so the loop does not wait for this round trip ({@code wait}
     * false); a hand-over and shutdown do wait, so the next owner's lag tools start where the rows are.
     */
    private void commitToKafka(boolean wait) {
        uncommitted.keySet().retainAll(consumer.assignment());
        if (uncommitted.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> commit = Map.copyOf(uncommitted);
        uncommitted.clear();
        if (!wait) {
            // the callback runs on this thread, inside a later poll or commit
            consumer.commitAsync(commit, (offsets, e) -> {
                if (e != null) {
                    retryCommit(commit, e);
                }
            });
            return;
        }
        try {
            try {
                consumer.commitSync(commit);
            } catch (WakeupException e) {
                // shutdown raced the commit; the rows are written, so commit them before closing
                consumer.commitSync(commit);
            }
        } catch (KafkaException e) {
            retryCommit(commit, e);
        }
    }

    /**
     * Queues the failed partitions again with the position the database holds now, never an older one: commits
     * may fail out of order, and a later one may already have succeeded.
     */
    private void retryCommit(Map<TopicPartition, OffsetAndMetadata> failed, Exception e) {
        // the database holds the positions; Kafka's copy only feeds lag tools, and is retried next loop
        LOG.debug("Kafka offset commit failed ({}); retrying after the next poll", e.getMessage());
        failed.keySet().forEach(tp -> {
            Long position = stored.get(tp);
            if (position != null) {
                uncommitted.put(tp, new OffsetAndMetadata(position));
            }
        });
    }

    /**
     * Reads stored positions, checked against the topic as it is now, and seeks to them; a partition with none
     * stored starts from the beginning, since the database is what says what has been applied. On failure the
     * partitions stay paused for a retry; positions that cannot be used stop the loop ({@link PositionCheck}).
     */
    private void positionFromDatabase(Collection<TopicPartition> partitions) {
        unpositioned.addAll(partitions);
        consumer.pause(partitions);
        Map<TopicPartition, PositionCheck.Start> starts;
        callStartedNanos = System.nanoTime();
        try {
            starts = positionReader.read(topic, partitions);
        } catch (PositionException e) {
            // positions that cannot be used in the topic as it is now: retrying cannot help, an operator decides
            throw e;
        } catch (Exception e) {
            if (classifier.classify(e) == Verdict.FATAL) {
                throw new IllegalStateException("cannot read stored positions: " + describe(e), e);
            }
            holdForRetry(e);
            return;
        } finally {
            callStartedNanos = 0;
        }
        starts.forEach((tp, start) -> {
            consumer.seek(tp, start.offset());
            if (start.stored() != null) {
                stored.put(tp, start.stored());
            } else {
                stored.remove(tp);
            }
            unpositioned.remove(tp);
        });
        if (held.isEmpty()) {
            retry.recovered();
            resumePositioned();
        }
    }

    private void resumePositioned() {
        consumer.resume(consumer.paused().stream().filter(tp -> !unpositioned.contains(tp)).toList());
    }

    /** Forgets batches that span partitions this instance no longer owns; the kept partitions re-read them. */
    private void release(Collection<TopicPartition> gone) {
        awaitWrite();
        if (held.stream().anyMatch(batch -> batch.touches(gone)) || next.stream().anyMatch(b -> b.touches(gone))) {
            // order per partition: a later batch is dropped with an earlier one
            drop(next);
            drop(held);
        }
        gone.forEach(tp -> {
            stored.remove(tp);
            unpositioned.remove(tp);
        });
        if (held.isEmpty()) {
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
                commitToKafka(true);
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
            if (!held.isEmpty()) {
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

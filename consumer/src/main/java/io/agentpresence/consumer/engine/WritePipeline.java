package io.agentpresence.consumer.engine;

import io.agentpresence.consumer.sink.PartitionPosition;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.kafka.common.TopicPartition;

/**
 * The batches between a poll and the database: those {@linkplain #held held} (being written, or waiting to be),
 * those decoded from the polls meanwhile ({@link #next}), and the write under way. Owned by the
 * poll thread; the writer threads only run {@link Applier#apply} on the batches handed to them.
 */
final class WritePipeline {

    /** How one batch's write ended: {@code error} null when it is written. */
    record Outcome(PendingBatch batch, Exception error) {
    }

    private final Applier applier;
    private final Executor writerThreads;
    /** The batches (at most one per writer) being written or waiting to be; empty when idle. */
    private final List<PendingBatch> held = new ArrayList<>();
    /** The next poll's batches, decoded while {@link #held} is written; their partitions stay paused meanwhile. */
    private final List<PendingBatch> next = new ArrayList<>();
    /** The write of {@link #held} under way on the writer threads; null when none is. */
    private CompletableFuture<List<Outcome>> inFlight;

    WritePipeline(Applier applier, Executor writerThreads) {
        this.applier = applier;
        this.writerThreads = writerThreads;
    }

    boolean isWriting() {
        return inFlight != null;
    }

    boolean isWriteDone() {
        return inFlight != null && inFlight.isDone();
    }

    /** Nothing held and nothing being written: a poll's batches may be taken as the next to write. */
    boolean isIdle() {
        return held.isEmpty() && inFlight == null;
    }

    boolean hasHeld() {
        return !held.isEmpty();
    }

    /**
     * The batches a poll is decoded into, as none of them is being written: while a write is under way the next ones
     * (empty before the first poll), else the held ones, waiting to be written (empty when idle). The list itself:
     * what is decoded into it is in the pipeline.
     */
    List<PendingBatch> joinable() {
        return isWriting() ? next : held;
    }

    /**
     * Starts writing the held batches in parallel on the writer threads, each with the positions {@code positions}
     * gives it (computed here, on the poll thread); {@code done} runs when all are finished, on whichever thread
     * finishes last.
     */
    void start(Function<PendingBatch, List<PartitionPosition>> positions, Runnable done) {
        List<CompletableFuture<Outcome>> writes = new ArrayList<>();
        for (PendingBatch batch : List.copyOf(held)) {
            List<PartitionPosition> batchPositions = positions.apply(batch);
            writes.add(CompletableFuture.supplyAsync(() -> apply(batch, batchPositions), writerThreads));
        }
        inFlight = CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
                .thenApply(all -> writes.stream().map(CompletableFuture::join).toList());
        inFlight.whenComplete((outcomes, error) -> done.run());
    }

    private Outcome apply(PendingBatch batch, List<PartitionPosition> positions) {
        try {
            applier.apply(batch, positions);
            return new Outcome(batch, null);
        } catch (Exception e) {
            // judged on the poll thread, with the other writers' outcomes
            return new Outcome(batch, e);
        }
    }

    /**
     * Waits for the write under way and returns its outcomes; the written batches leave {@link #held}, the
     * others stay for a retry (or a {@link #dropAll()}).
     */
    List<Outcome> finish() {
        List<Outcome> outcomes = inFlight.join();
        inFlight = null;
        outcomes.stream().filter(outcome -> outcome.error() == null).forEach(outcome -> held.remove(outcome.batch()));
        return outcomes;
    }

    /** The held batches are all written: the prefetched ones are the next to write. */
    void promotePrefetched() {
        held.addAll(next);
        next.clear();
    }

    /** Forgets the prefetched batches and returns them, so their partitions can be read again. */
    List<PendingBatch> dropPrefetched() {
        List<PendingBatch> dropped = List.copyOf(next);
        next.clear();
        return dropped;
    }

    /**
     * Forgets every batch not under way and returns them, the prefetched first: seeking to each one's first
     * offsets in that order leaves every partition at its earliest unwritten record.
     */
    List<PendingBatch> dropAll() {
        List<PendingBatch> dropped = new ArrayList<>(dropPrefetched());
        dropped.addAll(held);
        held.clear();
        return dropped;
    }

    /** Whether a held or prefetched batch spans one of {@code partitions}. */
    boolean touches(Collection<TopicPartition> partitions) {
        return held.stream().anyMatch(batch -> batch.touches(partitions))
                || next.stream().anyMatch(batch -> batch.touches(partitions));
    }
}

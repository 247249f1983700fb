package io.agentpresence.consumer.fold;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.LongSupplier;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;

/**
 * Decides what a stream thread's death does to the fold, and to the order stage, which shares it. A broker that
 * was away longer than the transaction timeout has aborted the open transaction; the commit then fails with a
 * transactional error that Streams does not recover from by itself. Nothing of that transaction is lost (its
 * input offsets were not committed), so a new thread that starts again from the last commit is the whole repair.
 * Every other failure, and transient ones that keep coming back, stops the application: the process exits and its
 * supervisor restarts it.
 */
final class StreamThreadFailures {

    static final int MAX_REPLACEMENTS = 5;
    static final Duration WINDOW = Duration.ofMinutes(5);

    private final LongSupplier nanoClock;
    private final Deque<Long> replacements = new ArrayDeque<>();

    StreamThreadFailures(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    synchronized StreamThreadExceptionResponse responseTo(Throwable failure) {
        if (!transactionLost(failure)) {
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        long now = nanoClock.getAsLong();
        while (!replacements.isEmpty() && now - replacements.peekFirst() > WINDOW.toNanos()) {
            replacements.removeFirst();
        }
        if (replacements.size() >= MAX_REPLACEMENTS) {
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        replacements.addLast(now);
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    /** An aborted or timed-out transaction, or a request that timed out: the broker, not the fold, went wrong. */
    private static boolean transactionLost(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof org.apache.kafka.common.errors.InvalidTxnStateException
                    || t instanceof org.apache.kafka.common.errors.TransactionAbortedException
                    || t instanceof org.apache.kafka.common.errors.InvalidProducerEpochException
                    || t instanceof org.apache.kafka.common.errors.TimeoutException) {
                return true;
            }
        }
        return false;
    }
}

package io.agentpresence.consumer.fold;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

class StreamThreadFailuresTest {

    private final AtomicLong nanos = new AtomicLong();
    private final StreamThreadFailures failures = new StreamThreadFailures(nanos::get);

    @Test
    void aTransactionTheBrokerAbortedWhileItWasAwayReplacesTheThread() {
        // what Streams throws when the broker came back after the transaction timeout and had aborted it
        StreamsException aborted = new StreamsException("Error encountered trying to commit a transaction",
                new InvalidTxnStateException("The producer attempted a transactional operation in an invalid state."));

        assertThat(failures.responseTo(aborted)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
    }

    @Test
    void aTimeoutTalkingToTheBrokerReplacesTheThread() {
        StreamsException timeout = new StreamsException("commit failed", new TimeoutException("Timeout expired"));

        assertThat(failures.responseTo(timeout)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
    }

    @Test
    void anyOtherFailureStopsTheApplication() {
        assertThat(failures.responseTo(new StreamsException("bug", new IllegalStateException("bad state"))))
                .isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    }

    @Test
    void replacingThreadsOverAndOverStopsTheApplicationInstead() {
        StreamsException aborted = new StreamsException("commit", new InvalidTxnStateException("aborted"));
        for (int i = 0; i < StreamThreadFailures.MAX_REPLACEMENTS; i++) {
            assertThat(failures.responseTo(aborted)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
            nanos.addAndGet(Duration.ofSeconds(10).toNanos());
        }

        assertThat(failures.responseTo(aborted)).isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    }

    @Test
    void replacementsLongAgoAreForgotten() {
        StreamsException aborted = new StreamsException("commit", new InvalidTxnStateException("aborted"));
        for (int i = 0; i < StreamThreadFailures.MAX_REPLACEMENTS; i++) {
            failures.responseTo(aborted);
        }
        nanos.addAndGet(StreamThreadFailures.WINDOW.plusSeconds(1).toNanos());

        assertThat(failures.responseTo(aborted)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
    }
}

package io.agentpresence.consumer.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RetryBackoffTest {

    private static final Duration MAX = Duration.ofSeconds(1);

    /** An arbitrary origin, as System.nanoTime() has; negative on purpose. */
    private final AtomicLong nanos = new AtomicLong(-Duration.ofDays(1).toNanos());
    private final RetryBackoff backoff = new RetryBackoff("applying a batch", MAX, nanos::get);

    @Test
    void theFirstAttemptIsDueAtOnce() {
        assertThat(backoff.isDue()).isTrue();
        assertThat(backoff.isWaiting()).isFalse();
    }

    @Test
    void theWaitStartsAt100MillisAndDoublesUpToTheMaximum() {
        for (long expectedMillis : new long[] {100, 200, 400, 800, 1000, 1000}) {
            backoff.failed("down");
            assertThat(waitMillis()).isEqualTo(expectedMillis);
        }
        assertThat(backoff.isWaiting()).isTrue();
    }

    @Test
    void recoveringEndsTheWaitingAndStartsTheNextTroubleAt100MillisAgain() {
        backoff.failed("down");
        backoff.failed("down");
        backoff.recovered();
        assertThat(backoff.isWaiting()).isFalse();

        backoff.failed("down again");
        assertThat(waitMillis()).isEqualTo(100);
    }

    /** Moves the clock until the next attempt is due, a millisecond at a time; the wait in milliseconds. */
    private long waitMillis() {
        long waited = 0;
        while (!backoff.isDue()) {
            nanos.addAndGet(Duration.ofMillis(1).toNanos());
            waited++;
        }
        return waited;
    }
}

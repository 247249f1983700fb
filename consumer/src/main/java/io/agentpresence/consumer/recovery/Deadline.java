package io.agentpresence.consumer.recovery;

import io.agentpresence.consumer.engine.RetryBackoff;
import java.time.Duration;

/** When a bounded step must be done, on the monotonic clock; {@link #NONE} never passes. */
final class Deadline {

    static final Deadline NONE = new Deadline(0, null);
    /** How often a wait for a back-off looks at the clock. */
    private static final Duration WAIT_STEP = Duration.ofMillis(10);

    private final long startNanos;
    private final Duration budget;

    private Deadline(long startNanos, Duration budget) {
        this.startNanos = startNanos;
        this.budget = budget;
    }

    static Deadline after(Duration budget) {
        return new Deadline(System.nanoTime(), budget);
    }

    boolean passed() {
        return budget != null && System.nanoTime() - startNanos >= budget.toNanos();
    }

    /** Sleeps until {@code backoff} allows the next attempt or this deadline passes, whichever comes first. */
    void awaitDue(RetryBackoff backoff) throws InterruptedException {
        while (!backoff.isDue() && !passed()) {
            Thread.sleep(WAIT_STEP.toMillis());
        }
    }
}

package io.agentpresence.consumer.engine;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exponential back-off while the infrastructure fails (100 ms doubling up to a maximum), and the log lines
 * that go with it: one WARN when the trouble starts, one every 30 s while it lasts, one INFO when it ends.
 */
public final class RetryBackoff {

    private static final Logger LOG = LoggerFactory.getLogger(PresenceConsumer.class);
    private static final Duration FIRST = Duration.ofMillis(100);
    private static final Duration LOG_INTERVAL = Duration.ofSeconds(30);

    private final Duration max;
    private final LongSupplier nanoClock;
    private Duration backoff = Duration.ZERO;
    private long nextAttemptNanos;
    private long waitingSinceNanos;
    private long lastLogNanos;
    private int failedAttempts;
    private volatile boolean waiting;

    public RetryBackoff(Duration max) {
        this(max, System::nanoTime);
    }

    /** @param nanoClock a monotonic clock in nanoseconds, as {@link System#nanoTime()}; tests advance their own */
    public RetryBackoff(Duration max, LongSupplier nanoClock) {
        this.max = max;
        this.nanoClock = nanoClock;
        // a nano clock has an arbitrary origin, so "due from the start" must be stated, not assumed
        this.nextAttemptNanos = nanoClock.getAsLong();
    }

    /** An attempt failed for {@code cause}: wait longer before the next. */
    public void failed(String cause) {
        long now = nanoClock.getAsLong();
        if (!waiting) {
            waitingSinceNanos = now;
            lastLogNanos = now;
            LOG.warn("Applying a batch failed ({}); partitions paused, retrying with back-off up to {} ms", cause,
                    max.toMillis());
        } else if (now - lastLogNanos >= LOG_INTERVAL.toNanos()) {
            lastLogNanos = now;
            LOG.warn("Still waiting after {} s and {} attempts: {}", Duration.ofNanos(now - waitingSinceNanos).toSeconds(),
                    failedAttempts + 1, cause);
        } else {
            LOG.debug("Attempt {} failed: {}", failedAttempts + 1, cause);
        }
        waiting = true;
        failedAttempts++;
        Duration doubled = backoff.multipliedBy(2);
        backoff = backoff.isZero() ? FIRST : (doubled.compareTo(max) < 0 ? doubled : max);
        nextAttemptNanos = now + backoff.toNanos();
    }

    /** The infrastructure answers again. */
    public void recovered() {
        if (waiting) {
            LOG.info("Recovered after {} failed attempts in {} ms; partitions resumed", failedAttempts,
                    Duration.ofNanos(nanoClock.getAsLong() - waitingSinceNanos).toMillis());
        }
        waiting = false;
        failedAttempts = 0;
        backoff = Duration.ZERO;
    }

    /** Whether the next attempt may run now. */
    public boolean isDue() {
        return nanoClock.getAsLong() - nextAttemptNanos >= 0;
    }

    /** Whether the last attempt failed; readable from any thread. */
    public boolean isWaiting() {
        return waiting;
    }
}

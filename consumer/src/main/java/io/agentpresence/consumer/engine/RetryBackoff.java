package io.agentpresence.consumer.engine;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one retry policy of every path that writes (the poll loop, replay, rebuild): exponential back-off while the
 * infrastructure fails (100 ms doubling up to a maximum), and the log lines that go with it, naming the work:
 * one WARN when the trouble starts, one every 30 s while it lasts, one INFO when it ends.
 */
public final class RetryBackoff {

    private static final Logger LOG = LoggerFactory.getLogger(RetryBackoff.class);
    /** What the poll loop retries. */
    static final String APPLYING_BATCHES = "applying a batch (partitions paused)";
    private static final Duration FIRST = Duration.ofMillis(100);
    private static final Duration LOG_INTERVAL = Duration.ofSeconds(30);

    private final String work;
    private final Duration max;
    private final LongSupplier nanoClock;
    private Duration backoff = Duration.ZERO;
    private long nextAttemptNanos;
    private long waitingSinceNanos;
    private long lastLogNanos;
    private int failedAttempts;
    private volatile boolean waiting;

    /** @param work what is retried, as the log lines name it ("rebuild: writing the shadow table") */
    public RetryBackoff(String work, Duration max) {
        this(work, max, System::nanoTime);
    }

    /** @param nanoClock a monotonic clock in nanoseconds, as {@link System#nanoTime()}; tests advance their own */
    public RetryBackoff(String work, Duration max, LongSupplier nanoClock) {
        this.work = work;
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
            LOG.warn("{} failed ({}); retrying with back-off up to {} ms", capitalized(work), cause, max.toMillis());
        } else if (now - lastLogNanos >= LOG_INTERVAL.toNanos()) {
            lastLogNanos = now;
            LOG.warn("Still {} after {} s and {} attempts: {}", work,
                    Duration.ofNanos(now - waitingSinceNanos).toSeconds(), failedAttempts + 1, cause);
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
            LOG.info("Recovered after {} failed attempts in {} ms: {}", failedAttempts,
                    Duration.ofNanos(nanoClock.getAsLong() - waitingSinceNanos).toMillis(), work);
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

    private static String capitalized(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }
}

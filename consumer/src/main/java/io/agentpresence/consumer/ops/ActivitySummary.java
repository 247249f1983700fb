package io.agentpresence.consumer.ops;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The INFO line once a minute, when anything happened: records, rows applied, stale, dead letters, lag. */
public final class ActivitySummary {

    private static final Logger LOG = LoggerFactory.getLogger("io.agentpresence.consumer.engine.PresenceConsumer");
    private static final Duration INTERVAL = Duration.ofMinutes(1);

    private final PresenceMetrics metrics;
    private PresenceMetrics.Totals last = new PresenceMetrics.Totals(0, 0, 0, 0, 0);
    private long lastNanos = System.nanoTime();

    public ActivitySummary(PresenceMetrics metrics) {
        this.metrics = metrics;
    }

    /** Logs the line when a minute has passed; call it from the poll loop. */
    public void maybeLog(boolean waiting) {
        long now = System.nanoTime();
        if (now - lastNanos < INTERVAL.toNanos()) {
            return;
        }
        PresenceMetrics.Totals totals = metrics.totals();
        double seconds = (now - lastNanos) / 1e9;
        long records = totals.consumed() - last.consumed();
        if (records > 0 || waiting) {
            LOG.info("Last {} s: {} records ({}/s), {} rows applied, {} stale, {} dead-lettered; lag {} records{}",
                    Math.round(seconds), records, Math.round(records / seconds), totals.applied() - last.applied(),
                    totals.stale() - last.stale(), totals.deadLettered() - last.deadLettered(), totals.lag(),
                    waiting ? "; waiting for the database" : "");
        }
        last = totals;
        lastNanos = now;
    }
}

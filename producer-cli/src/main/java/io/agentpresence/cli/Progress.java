package io.agentpresence.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Shows bulk progress (acknowledged/total and the rate) at most once a second, so a long run shows it is alive
 * and a short one prints nothing at all.
 */
final class Progress {

    static final Duration INTERVAL = Duration.ofSeconds(1);

    private final PrintWriter err;
    private final int total;
    private final LongSupplier nanoClock;
    private final long startNanos;
    private long lastReportNanos;

    Progress(PrintWriter err, int total, LongSupplier nanoClock) {
        this.err = err;
        this.total = total;
        this.nanoClock = nanoClock;
        this.startNanos = nanoClock.getAsLong();
        this.lastReportNanos = startNanos;
    }

    void update(int acknowledged) {
        long now = nanoClock.getAsLong();
        if (now - lastReportNanos < INTERVAL.toNanos()) {
            return;
        }
        lastReportNanos = now;
        double seconds = (now - startNanos) / 1e9;
        err.printf("sent %d/%d (%d events/s)%n", acknowledged, total, Math.round(acknowledged / seconds));
        err.flush();
    }
}

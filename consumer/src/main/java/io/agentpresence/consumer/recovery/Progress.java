package io.agentpresence.consumer.recovery;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * A progress line for long work, printed at most once a second: done and total, rate, and time left, e.g.
 * {@code replay: 120,000 of 1,000,000 events (12%), 45,000 events/s, about 20 s left}.
 */
public final class Progress {

    private static final long INTERVAL_NANOS = Duration.ofSeconds(1).toNanos();

    private final PrintWriter out;
    private final String label;
    private final long startNanos = System.nanoTime();
    private long total;
    private long done;
    private long lastPrintNanos = startNanos;

    public Progress(PrintWriter out, String label, long total) {
        this.out = out;
        this.label = label;
        this.total = total;
    }

    /** The amount of work grew (a later target lies further ahead). */
    public void total(long newTotal) {
        total = Math.max(total, newTotal);
    }

    public void advance(long n) {
        done += n;
        long now = System.nanoTime();
        if (now - lastPrintNanos >= INTERVAL_NANOS) {
            lastPrintNanos = now;
            out.println(line(now));
            out.flush();
        }
    }

    public long done() {
        return done;
    }

    /** Events per second so far. */
    public double rate() {
        return done / Math.max(1e-3, (System.nanoTime() - startNanos) / 1e9);
    }

    public void finish(String summary) {
        long millis = Math.max(1, Duration.ofNanos(System.nanoTime() - startNanos).toMillis());
        out.println(String.format(Locale.ROOT, "%s: done, %,d events in %.2f s (%,d events/s)%s", label, done,
                millis / 1000.0, done * 1000 / millis, summary.isEmpty() ? "" : "; " + summary));
        out.flush();
    }

    String line(long now) {
        double elapsed = Math.max(1e-3, (now - startNanos) / 1e9);
        long rate = Math.round(done / elapsed);
        long left = Math.max(0, total - done);
        String eta = rate == 0 ? "time left unknown" : "about " + Math.max(1, left / rate) + " s left";
        long percent = total == 0 ? 100 : Math.min(100, done * 100 / total);
        return String.format(Locale.ROOT, "%s: %,d of %,d events (%d%%), %,d events/s, %s", label, done, total,
                percent, rate, eta);
    }
}

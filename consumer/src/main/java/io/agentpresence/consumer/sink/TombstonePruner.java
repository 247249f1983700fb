package io.agentpresence.consumer.sink;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prunes the deletion ledger every {@link #INTERVAL} on a thread of its own ({@value #THREAD_NAME}), the first
 * time right after start: entries older than the retention go. It touches nothing but the ledger, through its own
 * pool connection.
 */
public final class TombstonePruner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TombstonePruner.class);
    static final String THREAD_NAME = "presence-tombstone-pruner";
    /** Far below any sensible retention, so the ledger never holds much more than the retention's deletions. */
    static final Duration INTERVAL = Duration.ofMinutes(1);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private final TombstoneLedger ledger;
    private final Duration retention;
    private final Clock clock;
    private final ScheduledExecutorService executor;

    private TombstonePruner(TombstoneLedger ledger, Duration retention, Clock clock) {
        this.ledger = ledger;
        this.retention = retention;
        this.clock = clock;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, THREAD_NAME);
            t.setDaemon(true);
            return t;
        });
    }

    public static TombstonePruner start(TombstoneLedger ledger, Duration retention, Clock clock) {
        TombstonePruner pruner = new TombstonePruner(ledger, retention, clock);
        pruner.executor.scheduleWithFixedDelay(pruner::pruneOnce, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return pruner;
    }

    private void pruneOnce() {
        try {
            long pruned = ledger.prune(clock.millis() - retention.toMillis());
            LOG.debug("Pruned {} deletion ledger entries older than {}", pruned, retention);
        } catch (SQLException | RuntimeException e) {
            // the database may be away; the writers report that, and the next run tries again
            LOG.warn("Pruning the deletion ledger failed: {}", e.toString());
        }
    }

    @Override
    public void close() throws InterruptedException {
        executor.shutdownNow();
        if (!executor.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
            LOG.warn("The deletion ledger pruner did not stop within {} s", CLOSE_WAIT.toSeconds());
        }
    }
}

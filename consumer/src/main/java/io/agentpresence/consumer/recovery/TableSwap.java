package io.agentpresence.consumer.recovery;

import io.agentpresence.consumer.engine.RetryBackoff;
import io.agentpresence.consumer.error.FailureClassifier;
import io.agentpresence.consumer.error.Verdict;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * Renames tables in one {@code RENAME TABLE}, waiting for their metadata locks at most
 * {@value #LOCK_WAIT_SECONDS} s at a time. A transaction that has read a table (a report, {@code mysqldump
 * --single-transaction}) holds its metadata lock until it ends, and a waiting rename queues every later reader and
 * writer of the table behind it; so the rename gives way between attempts and tries again until a deadline.
 */
final class TableSwap {

    /** The longest another session queues behind one attempt; the smallest lock_wait_timeout MySQL takes. */
    static final int LOCK_WAIT_SECONDS = 1;

    private final DataSource dataSource;
    private final FailureClassifier classifier;
    private final Duration maxBackoff;
    private final PrintWriter out;

    TableSwap(DataSource dataSource, FailureClassifier classifier, Duration maxBackoff, PrintWriter out) {
        this.dataSource = dataSource;
        this.classifier = classifier;
        this.maxBackoff = maxBackoff;
        this.out = out;
    }

    /**
     * @param renames {@code RENAME TABLE}'s list, such as {@code a TO a_old, a_new TO a}
     * @throws RebuildAbandonedException when the tables stayed in use until the deadline; nothing was renamed
     */
    void rename(String renames, Deadline deadline) throws SQLException, InterruptedException, RebuildAbandonedException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("SET SESSION lock_wait_timeout = " + LOCK_WAIT_SECONDS);
            Exception failure = null;
            try {
                renameBefore(s, "RENAME TABLE " + renames, deadline);
            } catch (Exception e) {
                failure = e;
                throw e;
            } finally {
                restoreLockWait(s, failure);
            }
        }
    }

    private void renameBefore(Statement s, String rename, Deadline deadline)
            throws SQLException, InterruptedException, RebuildAbandonedException {
        RetryBackoff backoff = new RetryBackoff("rebuild: swapping the tables in", maxBackoff);
        while (true) {
            try {
                s.execute(rename);
                return;
            } catch (SQLException e) {
                if (classifier.classify(e) != Verdict.RETRY) {
                    throw e;
                }
                if (deadline.passed()) {
                    throw new RebuildAbandonedException("the table stayed in use by another session until the lock"
                            + " budget ran out (a long transaction that has read it, such as a report or mysqldump"
                            + " --single-transaction): " + e.getMessage());
                }
                out.println("rebuild: the table is in use by another session (" + e.getMessage()
                        + "); letting it through and trying the swap again");
                backoff.failed(e.getMessage());
                deadline.awaitDue(backoff);
            }
        }
    }

    /** The connection goes back to the pool: the short wait must not go with it. */
    private static void restoreLockWait(Statement s, Exception failure) throws SQLException {
        try {
            s.execute("SET SESSION lock_wait_timeout = DEFAULT");
        } catch (SQLException e) {
            if (failure == null) {
                throw e;
            }
            // the rename's failure is what the caller must see; keep this one attached to it
            failure.addSuppressed(e);
        }
    }
}

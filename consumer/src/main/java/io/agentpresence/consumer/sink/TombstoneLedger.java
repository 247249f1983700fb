package io.agentpresence.consumer.sink;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Upkeep of the deletion ledger (see {@link PresenceUpsert#recordTombstone()}): entries older than the retention
 * are pruned in small chunks through the index on {@code deleted_ts}. A rebuild builds a ledger of its own and
 * swaps it in with the table.
 */
public final class TombstoneLedger {

    /** Entries per DELETE, each its own transaction: a writer recording a deletion waits milliseconds at most. */
    static final int PRUNE_CHUNK = 1_000;
    /** Chunks per {@link #prune}: bounds one run; a larger backlog is worked off by the following runs. */
    static final int MAX_CHUNKS_PER_PRUNE = 100;

    private static final String TABLE = PresenceUpsert.TOMBSTONES;

    private final DataSource dataSource;

    public TombstoneLedger(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Deletes entries whose deletion time is before {@code cutoff} (epoch ms), at most
     * {@value #MAX_CHUNKS_PER_PRUNE} × {@value #PRUNE_CHUNK} of them.
     *
     * @return the entries deleted
     */
    public long prune(long cutoff) throws SQLException {
        long pruned = 0;
        try (Connection c = dataSource.getConnection()) {
            // no gap locks beyond the expired entries, so a writer recording a new deletion is never held back
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM " + TABLE + " WHERE deleted_ts < ? LIMIT " + PRUNE_CHUNK)) {
                ps.setLong(1, cutoff);
                for (int chunk = 0; chunk < MAX_CHUNKS_PER_PRUNE; chunk++) {
                    int deleted = ps.executeUpdate();
                    c.commit();
                    pruned += deleted;
                    if (deleted < PRUNE_CHUNK) {
                        break;
                    }
                }
            }
        }
        return pruned;
    }
}

package io.agentpresence.consumer.sink;

import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.List;
import javax.sql.DataSource;

/**
 * Writes one reduced batch in one transaction: the partitions' new positions (compare-and-set), the upserts
 * as one rewritten multi-row statement, the deletions, then the clean-up of rows that a recorded deletion
 * has already overtaken. Either all of it commits or none of it does; Kafka offsets are committed after.
 */
public final class PresenceWriter {

    /** Largest IN list in one statement; keeps statements well under any max_allowed_packet. */
    static final int IN_LIST_CHUNK = 500;

    private final DataSource dataSource;
    private final PresenceUpsert sql;
    private final OffsetStore offsets;

    public PresenceWriter(DataSource dataSource, PresenceUpsert sql, OffsetStore offsets) {
        this.dataSource = dataSource;
        this.sql = sql;
        this.offsets = offsets;
    }

    /** Detects the server's dialect once and returns a writer for it. */
    public static PresenceWriter forServer(DataSource dataSource, OffsetStore offsets) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            SqlDialect dialect = SqlDialect.fromVersion(SqlDialect.serverVersion(c));
            return new PresenceWriter(dataSource, new PresenceUpsert(dialect), offsets);
        }
    }

    /**
     * @param changes   at most one per user, sorted by userId (see {@link PresenceBuffer#changes()})
     * @param positions where each partition of the batch stands afterwards; stored in the same transaction
     * @throws FencedException when a stored position is not the expected one; nothing is written then
     */
    public void write(List<PresenceChange> changes, List<PartitionPosition> positions)
            throws SQLException, FencedException {
        if (changes.isEmpty() && positions.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                // positions first: a fenced writer stops before touching a row, and a rebuild that holds
                // the position rows locked holds every writer back before it has used the table
                offsets.advance(c, positions);
                writeRows(c, changes);
                c.commit();
            } catch (SQLException | FencedException | RuntimeException e) {
                rollback(c, e);
                throw e;
            }
        }
    }

    /** Runs the statements for {@code changes} and rolls them back: finds out whether they would fail. */
    public void probe(List<PresenceChange> changes) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                writeRows(c, changes);
            } finally {
                c.rollback();
            }
        }
    }

    private void writeRows(Connection c, List<PresenceChange> changes) throws SQLException {
        List<PresenceChange> upserts = changes.stream().filter(ch -> !ch.isDelete()).toList();
        List<PresenceChange> deletes = changes.stream().filter(PresenceChange::isDelete).toList();
        upsert(c, upserts);
        delete(c, deletes);
        removeResurrected(c, upserts);
    }

    private void upsert(Connection c, List<PresenceChange> upserts) throws SQLException {
        if (upserts.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(sql.upsert())) {
            for (PresenceChange ch : upserts) {
                ps.setString(1, ch.userId());
                ps.setString(2, ch.status());
                ps.setLong(3, ch.ts());
                if (ch.source() == null) {
                    ps.setNull(4, Types.VARCHAR);
                } else {
                    ps.setString(4, ch.source());
                }
                ps.addBatch();
            }
            checkBatch(ps.executeBatch());
        }
    }

    private void delete(Connection c, List<PresenceChange> deletes) throws SQLException {
        if (deletes.isEmpty()) {
            return;
        }
        try (PreparedStatement ledger = c.prepareStatement(sql.recordTombstone());
             PreparedStatement delete = c.prepareStatement(sql.delete())) {
            for (PresenceChange ch : deletes) {
                ledger.setString(1, ch.userId());
                ledger.setLong(2, ch.ts());
                ledger.addBatch();
                delete.setString(1, ch.userId());
                delete.setLong(2, ch.ts());
                delete.addBatch();
            }
            checkBatch(ledger.executeBatch());
            checkBatch(delete.executeBatch());
        }
    }

    /**
     * An event older than a deletion that was applied in an earlier batch finds no row and inserts one;
     * the tombstone ledger tells us, and the row goes again in this same transaction, unseen by readers.
     */
    private void removeResurrected(Connection c, List<PresenceChange> upserts) throws SQLException {
        for (int from = 0; from < upserts.size(); from += IN_LIST_CHUNK) {
            List<PresenceChange> chunk = upserts.subList(from, Math.min(upserts.size(), from + IN_LIST_CHUNK));
            try (PreparedStatement ps = c.prepareStatement(sql.deleteResurrected(chunk.size()))) {
                for (int i = 0; i < chunk.size(); i++) {
                    ps.setString(i + 1, chunk.get(i).userId());
                }
                ps.executeUpdate();
            }
        }
    }

    private static void checkBatch(int[] counts) throws SQLException {
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] == Statement.EXECUTE_FAILED) {
                throw new BatchUpdateException("statement " + i + " of the batch failed", counts);
            }
        }
    }

    private static void rollback(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException rollbackFailure) {
            // the original failure is what the caller must see; keep this one attached to it
            cause.addSuppressed(rollbackFailure);
        }
    }
}

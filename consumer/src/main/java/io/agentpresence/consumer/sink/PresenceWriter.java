package io.agentpresence.consumer.sink;

import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;

/**
 * Writes one reduced batch in one transaction: the partitions' new positions (compare-and-set), then the batch's
 * changes step by step ({@link PresenceChange#step()}): last_seen raised for bare heartbeats, the statements as
 * multi-row upserts followed by the clean-up of rows a recorded deletion has already overtaken, the deletions. Either
 * all of it commits or none of it does; Kafka offsets are committed after.
 */
public final class PresenceWriter {

    /** Largest IN list or VALUES list in one statement; keeps statements well under any max_allowed_packet. */
    static final int IN_LIST_CHUNK = 500;
    static final int ROWS_PER_STATEMENT = 500;

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
        return new PresenceWriter(dataSource, new PresenceUpsert(SqlDialect.of(dataSource)), offsets);
    }

    /**
     * @param changes   in write order: by step, then userId, at most one per user and step (see
     *                  {@link PresenceBuffer#changes()})
     * @param positions where each partition of the batch stands afterwards; stored in the same transaction
     * @throws FencedException when a stored position is not the expected one; nothing is written then
     */
    public WriteResult write(List<PresenceChange> changes, List<PartitionPosition> positions)
            throws SQLException, FencedException {
        if (changes.isEmpty() && positions.isEmpty()) {
            return WriteResult.NONE;
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                // positions first: a fenced writer stops before touching a row, and a rebuild that holds
                // the position rows locked holds every writer back before it has used the table
                offsets.advance(c, positions);
                WriteResult result = writeRows(c, changes);
                c.commit();
                return result;
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

    private WriteResult writeRows(Connection c, List<PresenceChange> changes) throws SQLException {
        WriteResult result = WriteResult.NONE;
        // the common case: nothing was ever deleted, so nothing can come back; asked once, when first needed
        Boolean tombstones = null;
        for (int from = 0; from < changes.size(); ) {
            int step = changes.get(from).step();
            int to = from;
            while (to < changes.size() && changes.get(to).step() == step) {
                to++;
            }
            List<PresenceChange> group = changes.subList(from, to);
            switch (group.get(0).phase()) {
                case PresenceChange.STATEMENT -> {
                    WriteResult upserted = insert(c, group);
                    if (tombstones == null) {
                        tombstones = anyTombstone(c);
                    }
                    // a row put back by a statement no newer than a recorded deletion is gone again: it changed nothing
                    long resurrected = tombstones ? removeResurrected(c, group) : 0;
                    result = result.plus(new WriteResult(upserted.inserted() - resurrected, upserted.updated(),
                            upserted.unchanged() + resurrected, 0, 0));
                }
                case PresenceChange.DELETION -> {
                    result = result.plus(new WriteResult(0, 0, 0, delete(c, group), 0));
                    tombstones = true;
                }
                default -> result = result.plus(new WriteResult(0, 0, 0, 0, raiseLastSeen(c, group)));
            }
            from = to;
        }
        return result;
    }

    /**
     * One multi-row statement per {@value #ROWS_PER_STATEMENT} rows. Built here rather than by the driver's
     * batch rewriting so the server's "Records: N Duplicates: D" tells inserted, updated and unchanged apart.
     */
    private WriteResult insert(Connection c, List<PresenceChange> rows) throws SQLException {
        WriteResult result = WriteResult.NONE;
        for (int from = 0; from < rows.size(); from += ROWS_PER_STATEMENT) {
            List<PresenceChange> chunk = rows.subList(from, Math.min(rows.size(), from + ROWS_PER_STATEMENT));
            try (Statement st = c.createStatement()) {
                // the text is ours and holds no JDBC escapes: the driver need not scan it for them
                st.setEscapeProcessing(false);
                // values as literals: a statement's own ts is its last_seen, as newer ones of its round would have won
                int affected = st.executeUpdate(sql.upsert(chunk));
                result = result.plus(UpsertInfo.split(chunk.size(), affected, UpsertInfo.serverInfo(st)));
            }
        }
        return result;
    }

    /**
     * One statement per {@value #ROWS_PER_STATEMENT} users: last_seen of existing rows only, so a bare heartbeat
     * never inserts a row nor brings a deleted one back.
     */
    private long raiseLastSeen(Connection c, List<PresenceChange> heartbeats) throws SQLException {
        long raised = 0;
        for (int from = 0; from < heartbeats.size(); from += ROWS_PER_STATEMENT) {
            List<PresenceChange> chunk = heartbeats.subList(from, Math.min(heartbeats.size(), from + ROWS_PER_STATEMENT));
            try (PreparedStatement ps = c.prepareStatement(sql.raiseLastSeen(chunk.size()))) {
                int p = 1;
                for (PresenceChange ch : chunk) {
                    ps.setString(p++, ch.userId());
                    ps.setLong(p++, ch.ts());
                }
                raised += ps.executeUpdate();
            }
        }
        return raised;
    }

    private long delete(Connection c, List<PresenceChange> deletes) throws SQLException {
        if (deletes.isEmpty()) {
            return 0;
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
            // the row before the ledger, the order the upserts take them in (row, then the resurrection check)
            long deleted = checkBatch(delete.executeBatch());
            checkBatch(ledger.executeBatch());
            return deleted;
        }
    }

    /**
     * A statement no newer than a deletion applied earlier finds no row and inserts one; the tombstone ledger tells
     * us, and the row goes again in this same transaction, unseen by readers.
     */
    private long removeResurrected(Connection c, List<PresenceChange> inserts) throws SQLException {
        long removed = 0;
        for (int from = 0; from < inserts.size(); from += IN_LIST_CHUNK) {
            List<PresenceChange> chunk = inserts.subList(from, Math.min(inserts.size(), from + IN_LIST_CHUNK));
            try (PreparedStatement ps = c.prepareStatement(sql.deleteResurrected(chunk.size()))) {
                for (int i = 0; i < chunk.size(); i++) {
                    ps.setString(i + 1, chunk.get(i).userId());
                }
                removed += ps.executeUpdate();
            }
        }
        return removed;
    }

    /**
     * Whether any deletion is recorded, seen from this transaction's snapshot. Tombstones come from the writer
     * that owns the user's partition (this one) or from a replay or rebuild; a deletion one of those commits
     * while this transaction runs is not seen by this batch.
     */
    private boolean anyTombstone(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.anyTombstone()); ResultSet rs = ps.executeQuery()) {
            return rs.next();
        }
    }

    /** @return the rows the batch affected, as far as the driver reports them */
    private static long checkBatch(int[] counts) throws SQLException {
        long affected = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] == Statement.EXECUTE_FAILED) {
                throw new BatchUpdateException("statement " + i + " of the batch failed", counts);
            }
            affected += Math.max(0, counts[i]);
        }
        return affected;
    }

    /** Rolls back after {@code cause}; a failing rollback is kept on the cause, which is what the caller must see. */
    static void rollback(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException rollbackFailure) {
            // the original failure is what the caller must see; keep this one attached to it
            cause.addSuppressed(rollbackFailure);
        }
    }
}

package io.agentpresence.consumer.sink;

import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.List;
import java.util.function.IntFunction;
import javax.sql.DataSource;

/**
 * Writes one reduced batch in one transaction: the partitions' new positions (compare-and-set), last_seen of
 * users seen after their status change, the upserts and the rows created by heartbeats that confirm a status as
 * multi-row statements, the deletions, then the clean-up of rows that a recorded deletion has already
 * overtaken. Either all of it commits or none of it does; Kafka offsets are committed after.
 */
public final class PresenceWriter {

    /** Largest IN list or VALUES list in one statement; keeps statements well under any max_allowed_packet. */
    static final int IN_LIST_CHUNK = 500;
    static final int ROWS_PER_STATEMENT = 500;
    /** The change_ts of a user with heartbeats only: below every event_ts, so any row of the user is raised. */
    private static final long NO_STATUS_CHANGE = -1;

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
     * @param changes   at most one per user, sorted by userId (see {@link PresenceBuffer#changes()})
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
        List<PresenceChange> upserts = changes.stream().filter(ch -> ch.kind() == PresenceChange.Kind.STATUS).toList();
        List<PresenceChange> confirmations = changes.stream().filter(PresenceChange::confirmsStatus).toList();
        List<PresenceChange> deletes = changes.stream().filter(PresenceChange::isDelete).toList();
        // before the upserts, and only on rows the user's status change will not apply to: so every row raised
        // here changes in last_seen only, and the upserts' "Duplicates" still counts applied status changes
        // (a heartbeat that confirms a status raises last_seen in its own insert instead)
        long seen = raiseLastSeen(c, changes.stream()
                .filter(ch -> ch.seenAfterChange() && !ch.confirmsStatus()).toList());
        WriteResult upserted = insert(c, upserts, sql::upsert);
        // its "updated" rows are existing rows whose last_seen rose, nothing else
        WriteResult confirmed = insert(c, confirmations, sql::insertIfAbsent);
        long deleted = delete(c, deletes);
        // the common case: nothing was ever deleted, so nothing can come back
        boolean tombstones = !(upserts.isEmpty() && confirmations.isEmpty()) && anyTombstone(c);
        long resurrected = tombstones ? removeResurrected(c, upserts) : 0;
        long recreated = tombstones ? removeResurrected(c, confirmations) : 0;
        // a row put back by an event older than a recorded deletion is gone again: it changed nothing
        return new WriteResult(upserted.inserted() - resurrected + confirmed.inserted() - recreated,
                upserted.updated(), upserted.unchanged() + resurrected, deleted, seen + confirmed.updated());
    }

    /**
     * One multi-row statement per {@value #ROWS_PER_STATEMENT} rows. Built here rather than by the driver's
     * batch rewriting so the server's "Records: N Duplicates: D" tells inserted, updated and unchanged apart.
     */
    private WriteResult insert(Connection c, List<PresenceChange> rows, IntFunction<String> statement)
            throws SQLException {
        WriteResult result = WriteResult.NONE;
        for (int from = 0; from < rows.size(); from += ROWS_PER_STATEMENT) {
            List<PresenceChange> chunk = rows.subList(from, Math.min(rows.size(), from + ROWS_PER_STATEMENT));
            try (PreparedStatement ps = c.prepareStatement(statement.apply(chunk.size()))) {
                int p = 1;
                for (PresenceChange ch : chunk) {
                    ps.setString(p++, ch.userId());
                    ps.setString(p++, ch.status());
                    ps.setLong(p++, ch.ts());
                    ps.setLong(p++, ch.seen());
                    if (ch.source() == null) {
                        ps.setNull(p++, Types.VARCHAR);
                    } else {
                        ps.setString(p++, ch.source());
                    }
                }
                int affected = ps.executeUpdate();
                result = result.plus(UpsertInfo.split(chunk.size(), affected, UpsertInfo.serverInfo(ps)));
            }
        }
        return result;
    }

    /**
     * One statement per {@value #ROWS_PER_STATEMENT} users: last_seen of existing rows only, so a bare heartbeat
     * never inserts a row nor brings a deleted one back.
     */
    private long raiseLastSeen(Connection c, List<PresenceChange> seenLater) throws SQLException {
        long raised = 0;
        for (int from = 0; from < seenLater.size(); from += ROWS_PER_STATEMENT) {
            List<PresenceChange> chunk = seenLater.subList(from, Math.min(seenLater.size(), from + ROWS_PER_STATEMENT));
            try (PreparedStatement ps = c.prepareStatement(sql.raiseLastSeen(chunk.size()))) {
                int p = 1;
                for (PresenceChange ch : chunk) {
                    ps.setString(p++, ch.userId());
                    ps.setLong(p++, ch.seen());
                    ps.setLong(p++, ch.isHeartbeat() ? NO_STATUS_CHANGE : ch.ts());
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
     * An event (or a heartbeat that confirms a status) older than a deletion that was applied in an earlier batch
     * finds no row and inserts one; the tombstone ledger tells us, and the row goes again in this same
     * transaction, unseen by readers.
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

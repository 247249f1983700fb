package io.agentpresence.consumer.recovery;

import io.agentpresence.consumer.config.Durations;
import io.agentpresence.consumer.config.PresenceConsumerConfig;
import io.agentpresence.consumer.engine.PositionException;
import io.agentpresence.consumer.engine.RetryBackoff;
import io.agentpresence.consumer.error.FailureClassifier;
import io.agentpresence.consumer.error.Verdict;
import io.agentpresence.consumer.sink.OffsetStore;
import io.agentpresence.consumer.sink.PresenceUpsert;
import io.agentpresence.consumer.sink.PresenceWriter;
import io.agentpresence.consumer.sink.SqlDialect;
import io.agentpresence.consumer.sink.StoredPosition;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.kafka.common.TopicPartition;

/**
 * Builds a fresh copy of the table and of its deletion ledger from the beginning of the topic in shadow tables and
 * swaps both in with one {@code RENAME TABLE}, so readers see either the old or the new pair, never a half-built
 * table. To keep what the running consumer applies meanwhile, the last catch-up runs while the rebuild holds the
 * consumer group's position rows locked: every writer stores its position before it touches a row, so none can
 * write until the swap is done, and each then continues on the new tables from the position the rebuild caught
 * up to.
 * The writers are held back for at most the lock budget; a rebuild that cannot catch up and swap within it gives
 * up, drops the shadow tables and leaves the live table and ledger as they were.
 */
public final class Rebuild {

    public static final String SHADOW = PresenceUpsert.TABLE + "_rebuild";
    public static final String OLD = PresenceUpsert.TABLE + "_old";
    public static final String SHADOW_TOMBSTONES = PresenceUpsert.TOMBSTONES + "_rebuild";
    /** The replaced ledger, between the swap and its drop; never kept, the rebuilt one holds what the topic holds. */
    public static final String OLD_TOMBSTONES = PresenceUpsert.TOMBSTONES + "_old";
    /** How long live writes may be held back: well under InnoDB's 50 s lock wait, after which they would fail. */
    public static final Duration DEFAULT_LOCK_BUDGET = Duration.ofSeconds(10);
    /**
     * The share of the budget the locked catch-up is planned to take; the rest is for the events that arrive
     * until the lock is held, and for the swap.
     */
    private static final double LOCKED_CATCH_UP_SHARE = 0.5;
    private static final int MAX_UNLOCKED_ROUNDS = 20;
    private static final int LOCK_ATTEMPTS = 5;

    private final PresenceConsumerConfig config;
    private final DataSource dataSource;
    private final SqlDialect dialect;
    private final FailureClassifier classifier;
    private final PrintWriter out;
    private final Duration lockBudget;

    /**
     * @param dataSource at least two connections: one holds the position locks while another writes and swaps
     * @param lockBudget the longest the live writers are held back
     */
    public Rebuild(PresenceConsumerConfig config, DataSource dataSource, SqlDialect dialect,
                   FailureClassifier classifier, PrintWriter out, Duration lockBudget) {
        this.config = config;
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.classifier = classifier;
        this.out = out;
        this.lockBudget = lockBudget;
    }

    /**
     * @return the events applied
     * @throws IllegalStateException     when it refuses to start, having changed nothing: no position is stored
     *                                   for the configured group, or an earlier kept table is in the way
     * @throws PositionException         when the stored positions cannot be used in the topic as it is now
     *                                   (recreated, beyond the log end); nothing changed
     * @throws RebuildAbandonedException when it could not finish within the lock budget; nothing changed
     */
    public long run(boolean keepOld) throws Exception {
        Progress progress = new Progress(out, "rebuild", 0);
        long invalid;
        try (TopicReader reader = new TopicReader(config, "rebuild", classifier)) {
            checkSafeToStart(reader);
            // a replaced ledger is left behind only by a rebuild stopped between its swap and its drop
            execute("DROP TABLE IF EXISTS " + OLD_TOMBSTONES, "DROP TABLE IF EXISTS " + SHADOW,
                    "CREATE TABLE " + SHADOW + " LIKE " + PresenceUpsert.TABLE);
            try {
                PresenceWriter shadow = new PresenceWriter(dataSource, shadowStatements(),
                        new OffsetStore(config.groupId()));
                reader.seek(reader.offsetsAt(null));
                catchUp(reader, shadow, progress);
                catchUpLockedAndSwap(reader, shadow, progress);
                invalid = reader.invalidRecords();
            } catch (Exception e) {
                dropShadow(e);
                if (e instanceof RebuildAbandonedException) {
                    out.println("rebuild: gave up, the live table is as it was: " + e.getMessage());
                }
                throw e;
            }
        }
        execute("DROP TABLE " + OLD_TOMBSTONES);
        if (!keepOld) {
            execute("DROP TABLE " + OLD);
        }
        progress.finish("table swapped in" + (keepOld ? "; the previous table is kept as " + OLD : "")
                + (invalid > 0 ? "; " + invalid + " invalid records skipped" : ""));
        return progress.done();
    }

    /**
     * Refuses what would lose data. Without a position stored for the configured group, the lock holds no writer
     * back and what the service writes before the swap goes to the old table. Positions of an earlier incarnation
     * of the topic would build the table from the wrong records. An earlier kept table would be dropped (or stop
     * the swap).
     */
    private void checkSafeToStart(TopicReader reader) throws Exception {
        if (storedPositions(reader, null).isEmpty()) {
            throw noPositions();
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?")) {
            ps.setString(1, OLD);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    throw new IllegalStateException(OLD + " exists, kept by an earlier rebuild; drop or rename it"
                            + " first, nothing was changed");
                }
            }
            c.commit();
        }
    }

    private IllegalStateException noPositions() {
        return new IllegalStateException("no positions are stored for group.id '" + config.groupId() + "' on topic "
                + config.topic() + "; a rebuild holds the running service back through them, so group.id must be"
                + " the service's, and the service must have applied a batch; nothing was changed");
    }

    /**
     * Catches up without the lock until what is left takes at most its share of the lock budget at the rate seen
     * so far; gives up when live traffic grows the gap faster than the rebuild closes it.
     */
    private void catchUp(TopicReader reader, PresenceWriter shadow, Progress progress) throws Exception {
        for (int round = 1; ; round++) {
            Map<TopicPartition, Long> target = unlockedTarget(reader);
            long before = reader.remaining(target);
            progress.total(progress.done() + before);
            reader.applyUntil(target, shadow, progress, Deadline.NONE);
            long behind = reader.remaining(unlockedTarget(reader));
            double lockedSeconds = lockBudget.toMillis() / 1000.0 * LOCKED_CATCH_UP_SHARE;
            if (behind <= progress.rate() * lockedSeconds) {
                return;
            }
            if (behind >= before || round == MAX_UNLOCKED_ROUNDS) {
                throw new RebuildAbandonedException(String.format(Locale.ROOT, "live traffic outruns the rebuild:"
                        + " %,d events behind after %d round%s, more than %,.0f events/s can apply in %.1f s of the"
                        + " lock budget (%s)", behind, round, round == 1 ? "" : "s", progress.rate(), lockedSeconds,
                        Durations.format(lockBudget)));
            }
        }
    }

    /** The last stretch with the positions locked, then the swap, both within the lock budget. */
    private void catchUpLockedAndSwap(TopicReader reader, PresenceWriter shadow, Progress progress)
            throws Exception {
        try (Connection lock = dataSource.getConnection()) {
            lock.setAutoCommit(false);
            try {
                Map<TopicPartition, Long> target = lockStoredPositions(reader, lock);
                reader.checkReachable(target, reader.endOffsets());
                Deadline deadline = Deadline.after(lockBudget);
                progress.total(progress.done() + reader.remaining(target));
                if (!reader.applyUntil(target, shadow, progress, deadline)) {
                    throw new RebuildAbandonedException("the last stretch took longer than the lock budget ("
                            + Durations.format(lockBudget) + ")");
                }
                pruneShadowLedger();
                // the ledger in the same statement as the table, both or neither: a rebuild that gives up or fails
                // leaves the live ledger as it was. Refilling the live ledger after the rename instead would leave
                // the new table with the old ledger whenever that step failed.
                new TableSwap(dataSource, classifier, config.retryBackoffMax(), out).rename(PresenceUpsert.TABLE
                        + " TO " + OLD + ", " + SHADOW + " TO " + PresenceUpsert.TABLE + ", "
                        + PresenceUpsert.TOMBSTONES + " TO " + OLD_TOMBSTONES + ", "
                        + SHADOW_TOMBSTONES + " TO " + PresenceUpsert.TOMBSTONES, deadline);
                lock.commit();
            } catch (Exception e) {
                rollback(lock, e);
                throw e;
            }
        }
    }

    /**
     * The shadow table's statements, with a deletion ledger of its own filled from the topic alongside it: a wrong
     * entry in the live ledger (a deletion stamped far ahead) neither removes rows from the shadow nor survives.
     */
    private PresenceUpsert shadowStatements() throws SQLException {
        execute("DROP TABLE IF EXISTS " + SHADOW_TOMBSTONES,
                "CREATE TABLE " + SHADOW_TOMBSTONES + " LIKE " + PresenceUpsert.TOMBSTONES);
        return new PresenceUpsert(dialect, SHADOW, SHADOW_TOMBSTONES);
    }

    /**
     * Leaves in the rebuilt ledger what the live one is to hold: the newest tombstone per user, within the retention.
     * No one else uses the shadow ledger, so one statement does, unlike the service's pruning of the live one.
     */
    private void pruneShadowLedger() throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "DELETE FROM " + SHADOW_TOMBSTONES + " WHERE deleted_ts < ?")) {
            ps.setLong(1, System.currentTimeMillis() - config.tombstoneRetention().toMillis());
            ps.executeUpdate();
            c.commit();
        }
    }

    /**
     * {@link #storedPositions} with the rows locked. Locking them can deadlock with a writer storing a partition's
     * first position (a gap lock), and InnoDB then rolls this transaction back: it holds nothing else yet, so
     * try again.
     */
    private Map<TopicPartition, Long> lockStoredPositions(TopicReader reader, Connection lock) throws Exception {
        RetryBackoff backoff = new RetryBackoff("rebuild: locking the stored positions", config.retryBackoffMax());
        for (int attempt = 1; ; attempt++) {
            try {
                Map<TopicPartition, Long> positions = storedPositions(reader, lock);
                if (positions.isEmpty()) {
                    throw noPositions();
                }
                return positions;
            } catch (SQLException e) {
                if (attempt == LOCK_ATTEMPTS || classifier.classify(e) != Verdict.RETRY) {
                    throw e;
                }
                lock.rollback();
                out.println("rebuild: locking the positions failed (" + e.getMessage() + "); trying again");
                backoff.failed(e.getMessage());
                Deadline.NONE.awaitDue(backoff);
            }
        }
    }

    /**
     * Where the running consumer group stands: its stored positions, and the end offset of any partition it has
     * none for (the group will read such a partition from its start, onto whichever table it finds).
     */
    private Map<TopicPartition, Long> unlockedTarget(TopicReader reader) throws Exception {
        Map<TopicPartition, Long> stored = storedPositions(reader, null);
        // the log's end read after the positions: a live writer's position can never be ahead of it then
        Map<TopicPartition, Long> end = reader.endOffsets();
        Map<TopicPartition, Long> target = new HashMap<>(end);
        target.putAll(stored);
        reader.checkReachable(target, end);
        return target;
    }

    /**
     * The group's stored positions, refused when they belong to an earlier incarnation of the topic; with
     * {@code lock}, the rows stay locked until its transaction ends.
     */
    private Map<TopicPartition, Long> storedPositions(TopicReader reader, Connection lock) throws Exception {
        List<StoredPosition> stored = new ArrayList<>();
        String sql = "SELECT kafka_partition, next_offset, topic_id FROM " + OffsetStore.TABLE
                + " WHERE group_id = ? AND topic = ?" + (lock == null ? "" : " FOR UPDATE");
        try (Connection own = lock == null ? dataSource.getConnection() : null;
             PreparedStatement ps = (lock == null ? own : lock).prepareStatement(sql)) {
            ps.setString(1, config.groupId());
            ps.setString(2, config.topic());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    stored.add(new StoredPosition(rs.getInt(1), rs.getLong(2), rs.getString(3)));
                }
            }
            if (own != null) {
                own.commit();
            }
        }
        reader.checkIncarnation(stored);
        Map<TopicPartition, Long> positions = new HashMap<>();
        stored.forEach(p -> positions.put(new TopicPartition(config.topic(), p.partition()), p.next()));
        return positions;
    }

    /** A failed rebuild leaves no half-built table behind. */
    private void dropShadow(Exception failure) {
        try {
            execute("DROP TABLE IF EXISTS " + SHADOW, "DROP TABLE IF EXISTS " + SHADOW_TOMBSTONES);
        } catch (SQLException e) {
            // the failure that stopped the rebuild is what the caller must see; the next run drops it anyway
            failure.addSuppressed(e);
        }
    }

    private static void rollback(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            // the original failure is what the caller must see; closing the connection ends the transaction
            cause.addSuppressed(e);
        }
    }

    private void execute(String... statements) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
            c.commit();
        }
    }
}

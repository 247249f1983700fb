package io.agentpresence.consumer.recovery;

import io.agentpresence.consumer.config.PresenceConsumerConfig;
import io.agentpresence.consumer.error.FailureClassifier;
import io.agentpresence.consumer.error.Verdict;
import io.agentpresence.consumer.sink.OffsetStore;
import io.agentpresence.consumer.sink.PresenceUpsert;
import io.agentpresence.consumer.sink.PresenceWriter;
import io.agentpresence.consumer.sink.SqlDialect;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.kafka.common.TopicPartition;

/**
 * Builds a fresh copy of the table from the beginning of the topic in a shadow table and swaps it in with one
 * {@code RENAME TABLE}, so readers see either the old or the new table, never a half-built one. To keep what
 * the running consumer applies meanwhile, the last catch-up runs while the rebuild holds the consumer group's
 * position rows locked: every writer stores its position before it touches a row, so none can write until
 * the swap is done, and each then continues on the new table from the position the rebuild caught up to.
 */
public final class Rebuild {

    public static final String SHADOW = PresenceUpsert.TABLE + "_rebuild";
    public static final String OLD = PresenceUpsert.TABLE + "_old";
    /** Catch up without the lock until at most this many events remain; the locked phase stays short. */
    static final long LOCKED_CATCH_UP_LIMIT = 10_000;
    private static final int MAX_UNLOCKED_ROUNDS = 20;
    private static final int LOCK_ATTEMPTS = 5;

    private final PresenceConsumerConfig config;
    private final DataSource dataSource;
    private final SqlDialect dialect;
    private final FailureClassifier classifier;
    private final PrintWriter out;

    /** @param dataSource at least two connections: one holds the position locks while another writes and swaps */
    public Rebuild(PresenceConsumerConfig config, DataSource dataSource, SqlDialect dialect,
                   FailureClassifier classifier, PrintWriter out) {
        this.config = config;
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.classifier = classifier;
        this.out = out;
    }

    public long run(boolean keepOld) throws Exception {
        execute("DROP TABLE IF EXISTS " + SHADOW, "DROP TABLE IF EXISTS " + OLD,
                "CREATE TABLE " + SHADOW + " LIKE " + PresenceUpsert.TABLE);
        PresenceWriter shadow = new PresenceWriter(dataSource, new PresenceUpsert(dialect, SHADOW),
                new OffsetStore(config.groupId()));
        try (TopicReader reader = new TopicReader(config, "rebuild", classifier)) {
            reader.seek(reader.offsetsAt(null));
            Progress progress = new Progress(out, "rebuild", 0);
            for (int round = 0; round < MAX_UNLOCKED_ROUNDS; round++) {
                Map<TopicPartition, Long> target = livePositions(reader, null);
                progress.total(progress.done() + reader.remaining(target));
                reader.applyUntil(target, shadow, progress);
                if (reader.remaining(livePositions(reader, null)) <= LOCKED_CATCH_UP_LIMIT) {
                    break;
                }
            }
            try (Connection lock = dataSource.getConnection()) {
                lock.setAutoCommit(false);
                Map<TopicPartition, Long> target = lockLivePositions(reader, lock);
                progress.total(progress.done() + reader.remaining(target));
                reader.applyUntil(target, shadow, progress);
                execute("RENAME TABLE " + PresenceUpsert.TABLE + " TO " + OLD + ", " + SHADOW + " TO "
                        + PresenceUpsert.TABLE);
                lock.commit();
            }
            if (!keepOld) {
                execute("DROP TABLE " + OLD);
            }
            progress.finish("table swapped in" + (keepOld ? "; the previous table is kept as " + OLD : "")
                    + (reader.invalidRecords() > 0 ? "; " + reader.invalidRecords() + " invalid records skipped" : ""));
            return progress.done();
        }
    }

    /**
     * {@link #livePositions} with the rows locked. Locking them can deadlock with a writer storing a partition's
     * first position (a gap lock), and InnoDB then rolls this transaction back: it holds nothing else yet, so
     * try again.
     */
    private Map<TopicPartition, Long> lockLivePositions(TopicReader reader, Connection lock) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return livePositions(reader, lock);
            } catch (SQLException e) {
                if (attempt == LOCK_ATTEMPTS || classifier.classify(e) != Verdict.RETRY) {
                    throw e;
                }
                lock.rollback();
                out.println("rebuild: locking the positions failed (" + e.getMessage() + "); trying again");
                Thread.sleep(100L * attempt);
            }
        }
    }

    /**
     * Where the running consumer group stands, per partition; a partition it has no position for is taken
     * up to its end offset (unlocked) or left where the reader is (locked: the group will read it all).
     * With {@code lock}, the position rows are locked until that connection's transaction ends.
     */
    private Map<TopicPartition, Long> livePositions(TopicReader reader, Connection lock) throws SQLException {
        Map<TopicPartition, Long> fallback = lock == null ? reader.endOffsets() : new HashMap<>();
        Map<TopicPartition, Long> target = new HashMap<>(fallback);
        String sql = "SELECT kafka_partition, next_offset FROM " + OffsetStore.TABLE
                + " WHERE group_id = ? AND topic = ?" + (lock == null ? "" : " FOR UPDATE");
        try (Connection own = lock == null ? dataSource.getConnection() : null;
             PreparedStatement ps = (lock == null ? own : lock).prepareStatement(sql)) {
            ps.setString(1, config.groupId());
            ps.setString(2, config.topic());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    target.put(new TopicPartition(config.topic(), rs.getInt(1)), rs.getLong(2));
                }
            }
            if (own != null) {
                own.commit();
            }
        }
        return target;
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

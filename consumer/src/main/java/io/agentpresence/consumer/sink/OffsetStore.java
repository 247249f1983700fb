package io.agentpresence.consumer.sink;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The consumed position of each partition, kept in {@code agent_presence_offsets} beside the rows, with the id
 * of the topic incarnation it belongs to. Writes are compare-and-set on the position the writer expects, so a
 * writer that lost its partition (or that runs against a restored backup) is refused instead of moving the
 * position.
 */
public final class OffsetStore {

    public static final String TABLE = "agent_presence_offsets";

    private final String groupId;

    public OffsetStore(String groupId) {
        this.groupId = groupId;
    }

    /**
     * Every position stored for {@code topic}, by partition: those of partitions this instance does not own too,
     * so rows of partitions the topic no longer has can be found.
     */
    public Map<Integer, StoredPosition> read(DataSource dataSource, String topic) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Map<Integer, StoredPosition> positions = read(c, topic);
            c.commit();
            return positions;
        }
    }

    /** {@link #read(DataSource, String)} inside the caller's transaction, e.g. in one snapshot with the rows. */
    public Map<Integer, StoredPosition> read(Connection c, String topic) throws SQLException {
        Map<Integer, StoredPosition> positions = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT kafka_partition, next_offset, topic_id FROM " + TABLE
                + " WHERE group_id = ? AND topic = ?")) {
            ps.setString(1, groupId);
            ps.setString(2, topic);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    positions.put(rs.getInt(1), new StoredPosition(rs.getInt(1), rs.getLong(2), rs.getString(3)));
                }
            }
        }
        return positions;
    }

    /** Moves one partition from its expected to its next position in a transaction of its own. */
    public void move(DataSource dataSource, PartitionPosition position) throws SQLException, FencedException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                advance(c, List.of(position));
                c.commit();
            } catch (SQLException | FencedException | RuntimeException e) {
                // nothing of it may stay
                PresenceWriter.rollback(c, e);
                throw e;
            }
        }
    }

    /** Moves each partition from its expected to its next position, inside the caller's transaction. */
    void advance(Connection c, Collection<PartitionPosition> positions) throws SQLException, FencedException {
        for (PartitionPosition p : positions) {
            if (p.expected() == null) {
                insert(c, p);
            } else {
                update(c, p);
            }
        }
    }

    private void insert(Connection c, PartitionPosition p) throws SQLException, FencedException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE
                + " (group_id, topic, kafka_partition, next_offset, topic_id) VALUES (?, ?, ?, ?, ?)")) {
            bindKey(ps, p, 1);
            ps.setLong(4, p.next());
            ps.setString(5, p.topicId());
            ps.executeUpdate();
        } catch (SQLIntegrityConstraintViolationException e) {
            throw new FencedException(p.topic() + "-" + p.partition() + ": a position was stored meanwhile");
        }
    }

    private void update(Connection c, PartitionPosition p) throws SQLException, FencedException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + TABLE
                + " SET next_offset = ?, topic_id = COALESCE(?, topic_id), updated_at = CURRENT_TIMESTAMP(3)"
                + " WHERE group_id = ? AND topic = ? AND kafka_partition = ? AND next_offset = ?")) {
            // a row stored before topic ids were recorded, or one the reset policy moves to a recreated topic,
            // takes the id of the topic it now follows; a move that knows no id keeps the stored one, or a
            // recreated topic would go unnoticed at the next start
            ps.setLong(1, p.next());
            ps.setString(2, p.topicId());
            bindKey(ps, p, 3);
            ps.setLong(6, p.expected());
            if (ps.executeUpdate() != 1) {
                throw new FencedException(p.topic() + "-" + p.partition() + ": the stored position is no longer "
                        + p.expected());
            }
        }
    }

    private void bindKey(PreparedStatement ps, PartitionPosition p, int first) throws SQLException {
        ps.setString(first, groupId);
        ps.setString(first + 1, p.topic());
        ps.setInt(first + 2, p.partition());
    }
}

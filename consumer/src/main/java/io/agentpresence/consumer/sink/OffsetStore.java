package io.agentpresence.consumer.sink;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The consumed position of each partition, kept in {@code agent_presence_offsets} beside the rows. Writes
 * are compare-and-set on the position the writer expects, so a writer that lost its partition (or that runs
 * against a restored backup) is refused instead of moving the position.
 */
public final class OffsetStore {

    public static final String TABLE = "agent_presence_offsets";

    private final String groupId;

    public OffsetStore(String groupId) {
        this.groupId = groupId;
    }

    /** The stored next offset per partition of {@code topic}; partitions with none stored are absent. */
    public Map<Integer, Long> read(DataSource dataSource, String topic, Collection<Integer> partitions)
            throws SQLException {
        Map<Integer, Long> positions = new HashMap<>();
        if (partitions.isEmpty()) {
            return positions;
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT kafka_partition, next_offset FROM " + TABLE
                     + " WHERE group_id = ? AND topic = ?")) {
            ps.setString(1, groupId);
            ps.setString(2, topic);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (partitions.contains(rs.getInt(1))) {
                        positions.put(rs.getInt(1), rs.getLong(2));
                    }
                }
            }
            c.commit();
        }
        return positions;
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
                + " (group_id, topic, kafka_partition, next_offset) VALUES (?, ?, ?, ?)")) {
            bindKey(ps, p, 1);
            ps.setLong(4, p.next());
            ps.executeUpdate();
        } catch (SQLIntegrityConstraintViolationException e) {
            throw new FencedException(p.topic() + "-" + p.partition() + ": a position was stored meanwhile");
        }
    }

    private void update(Connection c, PartitionPosition p) throws SQLException, FencedException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + TABLE
                + " SET next_offset = ?, updated_at = CURRENT_TIMESTAMP(3)"
                + " WHERE group_id = ? AND topic = ? AND kafka_partition = ? AND next_offset = ?")) {
            ps.setLong(1, p.next());
            bindKey(ps, p, 2);
            ps.setLong(5, p.expected());
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

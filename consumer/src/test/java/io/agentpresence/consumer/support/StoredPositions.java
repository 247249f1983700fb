package io.agentpresence.consumer.support;

import io.agentpresence.embedded.junit.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/** The partition positions the consumer stores beside the rows, and the topic's end offsets to compare them to. */
public final class StoredPositions {

    /** MySQL/MariaDB error 1146: the consumer has not created its tables yet. */
    private static final int NO_SUCH_TABLE = 1146;

    private StoredPositions() {
    }

    /** Next offset per partition stored for {@code group} on {@code topic}; empty before the first batch. */
    public static Map<Integer, Long> read(TestDatabase db, String group, String topic) throws SQLException {
        Map<Integer, Long> positions = new TreeMap<>();
        try (Connection c = db.connect();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT kafka_partition, next_offset FROM agent_presence_offsets WHERE group_id = ? AND topic = ?")) {
            ps.setString(1, group);
            ps.setString(2, topic);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    positions.put(rs.getInt(1), rs.getLong(2));
                }
            }
        } catch (SQLException e) {
            if (e.getErrorCode() != NO_SUCH_TABLE) {
                throw e;
            }
            // not migrated yet: nothing is stored
        }
        return positions;
    }

    public static long total(TestDatabase db, String group, String topic) throws SQLException {
        return total(read(db, group, topic));
    }

    /** Positions (or offsets) summed over the partitions: records consumed from offset 0. */
    public static long total(Map<Integer, Long> positions) {
        return positions.values().stream().mapToLong(Long::longValue).sum();
    }

    /** End offset per partition: where every stored position must arrive once the topic is consumed. */
    public static Map<Integer, Long> endOffsets(String bootstrapServers, String topic, int partitions) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            request.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            Map<TopicPartition, ListOffsetsResultInfo> ends = admin.listOffsets(request).all().get();
            Map<Integer, Long> result = new TreeMap<>();
            ends.forEach((tp, info) -> result.put(tp.partition(), info.offset()));
            return result;
        }
    }

    /** Partitions whose stored position is behind {@code before}'s: a committed batch that a crash undid. */
    public static List<Integer> movedBack(Map<Integer, Long> before, Map<Integer, Long> after) {
        return before.entrySet().stream()
                .filter(e -> after.getOrDefault(e.getKey(), -1L) < e.getValue())
                .map(Map.Entry::getKey).toList();
    }
}

package io.agentpresence.consumer.engine;

import io.agentpresence.consumer.sink.FencedException;
import io.agentpresence.consumer.sink.OffsetStore;
import io.agentpresence.consumer.sink.StoredPosition;
import java.sql.SQLTransientException;
import java.util.Collection;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.kafka.common.TopicPartition;

/**
 * Where an assignment's partitions start: reads the stored positions and the topic as the broker has it now, has
 * {@link PositionCheck} judge them, and stores the resets it decides. Used on the poll thread only; it remembers
 * the id of the topic last read, which every stored position carries.
 */
public final class TopicPositionReader implements PositionReader {

    private final String topic;
    private final OffsetStore offsets;
    private final DataSource dataSource;
    private final TopicLogs topics;
    private final PositionCheck check;
    private String topicId;

    public TopicPositionReader(String topic, OffsetStore offsets, DataSource dataSource, TopicLogs topics,
                               PositionCheck check) {
        this.topic = topic;
        this.offsets = offsets;
        this.dataSource = dataSource;
        this.topics = topics;
        this.check = check;
    }

    @Override
    public Map<TopicPartition, PositionCheck.Start> read(Collection<TopicPartition> partitions) throws Exception {
        if (partitions.isEmpty()) {
            return Map.of();
        }
        Map<Integer, StoredPosition> stored = offsets.read(dataSource, topic);
        TopicLog log = topics.read(topic, partitions);
        Map<TopicPartition, PositionCheck.Start> decided = check.starts(partitions, stored, log);
        for (PositionCheck.Start start : decided.values()) {
            if (start.reset() != null) {
                try {
                    offsets.move(dataSource, start.reset());
                } catch (FencedException e) {
                    throw new SQLTransientException("another member moved the position meanwhile; read it again", e);
                }
            }
        }
        topicId = log.topicId();
        return decided;
    }

    /** The id of the topic as last read; null before the first {@link #read}. */
    @Override
    public String topicId() {
        return topicId;
    }
}

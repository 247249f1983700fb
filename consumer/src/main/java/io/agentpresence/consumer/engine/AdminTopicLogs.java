package io.agentpresence.consumer.engine;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads a topic's id, partition count and log ranges with an Admin client: the consumer cannot give the id, and
 * its own offset look-ups would be cut short by the wake-up that a finished write sends to the poll loop.
 */
public final class AdminTopicLogs implements TopicLogs {

    private final Admin admin;
    private final long timeoutMillis;

    public AdminTopicLogs(Admin admin, Duration timeout) {
        this.admin = admin;
        this.timeoutMillis = timeout.toMillis();
    }

    @Override
    public TopicLog read(String topic, Collection<TopicPartition> partitions) throws Exception {
        // three requests under way at once: one round trip on the poll thread, not three
        KafkaFuture<TopicDescription> description = admin.describeTopics(List.of(topic)).topicNameValues().get(topic);
        KafkaFuture<Map<TopicPartition, ListOffsetsResultInfo>> starts = offsets(partitions, OffsetSpec.earliest());
        KafkaFuture<Map<TopicPartition, ListOffsetsResultInfo>> ends = offsets(partitions, OffsetSpec.latest());
        TopicDescription topicNow = description.get(timeoutMillis, TimeUnit.MILLISECONDS);
        Map<TopicPartition, ListOffsetsResultInfo> first = starts.get(timeoutMillis, TimeUnit.MILLISECONDS);
        Map<TopicPartition, ListOffsetsResultInfo> end = ends.get(timeoutMillis, TimeUnit.MILLISECONDS);
        Map<Integer, TopicLog.Range> ranges = new HashMap<>();
        partitions.forEach(tp -> ranges.put(tp.partition(),
                new TopicLog.Range(first.get(tp).offset(), end.get(tp).offset())));
        return new TopicLog(topicNow.topicId().toString(), topicNow.partitions().size(), ranges);
    }

    private KafkaFuture<Map<TopicPartition, ListOffsetsResultInfo>> offsets(Collection<TopicPartition> partitions,
                                                                           OffsetSpec spec) {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, spec));
        // the end a read_committed consumer reaches, as the group consumer reads
        return admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all();
    }
}

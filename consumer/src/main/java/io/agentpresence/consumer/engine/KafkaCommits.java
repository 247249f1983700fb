package io.agentpresence.consumer.engine;

import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands Kafka the positions written to the database since the last commit (and any whose commit failed), for
 * lag tools: the database holds the positions that count. Used on the poll thread only.
 */
final class KafkaCommits {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaCommits.class);

    private final Consumer<byte[], byte[]> consumer;
    private final PositionBook book;

    KafkaCommits(Consumer<byte[], byte[]> consumer, PositionBook book) {
        this.consumer = consumer;
        this.book = book;
    }

    /** Commits without waiting for the round trip; the callback runs on the poll thread, inside a later poll. */
    void commitAsync() {
        Map<TopicPartition, OffsetAndMetadata> commit = book.takeUncommitted(consumer.assignment());
        if (!commit.isEmpty()) {
            consumer.commitAsync(commit, (offsets, e) -> {
                if (e != null) {
                    failed(commit, e);
                }
            });
        }
    }

    /** Commits and waits: a hand-over and shutdown do, so the next owner's lag tools start where the rows are. */
    void commitSync() {
        Map<TopicPartition, OffsetAndMetadata> commit = book.takeUncommitted(consumer.assignment());
        if (commit.isEmpty()) {
            return;
        }
        try {
            try {
                consumer.commitSync(commit);
            } catch (WakeupException e) {
                // shutdown raced the commit; the rows are written, so commit them before closing
                consumer.commitSync(commit);
            }
        } catch (KafkaException e) {
            failed(commit, e);
        }
    }

    private void failed(Map<TopicPartition, OffsetAndMetadata> commit, Exception e) {
        // the database holds the positions; Kafka's copy only feeds lag tools, and is retried next loop
        LOG.debug("Kafka offset commit failed ({}); retrying after the next poll", e.getMessage());
        book.commitFailed(commit.keySet());
    }
}

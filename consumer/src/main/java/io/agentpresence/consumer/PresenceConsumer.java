package io.agentpresence.consumer;

import io.agentpresence.consumer.ops.PresenceMetrics;
import io.agentpresence.consumer.sink.PresenceBuffer;
import io.agentpresence.consumer.sink.PresenceChange;
import io.agentpresence.consumer.sink.PresenceWriter;
import io.agentpresence.model.MalformedEventException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poll loop: poll bytes, decode and validate, reduce to the newest change per user, write the batch in
 * one transaction, and only then commit the offsets. A batch the database refuses is polled again after a
 * back-off (the partitions are rewound to its first records), so nothing is skipped.
 */
public final class PresenceConsumer implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(PresenceConsumer.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);

    private final Consumer<byte[], byte[]> consumer;
    private final String topic;
    private final RecordDecoder decoder;
    private final PresenceWriter writer;
    private final PresenceMetrics metrics;
    private final Duration pollTimeout;
    private final Duration maxBackoff;
    private volatile boolean stopping;
    private Duration backoff = Duration.ZERO;

    PresenceConsumer(Consumer<byte[], byte[]> consumer, String topic, RecordDecoder decoder, PresenceWriter writer,
                     PresenceMetrics metrics, Duration pollTimeout, Duration maxBackoff) {
        this.consumer = consumer;
        this.topic = topic;
        this.decoder = decoder;
        this.writer = writer;
        this.metrics = metrics;
        this.pollTimeout = pollTimeout;
        this.maxBackoff = maxBackoff;
    }

    @Override
    public void run() {
        consumer.subscribe(List.of(topic), new LoggingRebalanceListener());
        try {
            while (!stopping) {
                ConsumerRecords<byte[], byte[]> records;
                try {
                    records = consumer.poll(pollTimeout);
                } catch (WakeupException e) {
                    // stop() interrupts a blocked poll; the loop condition decides
                    continue;
                }
                if (!records.isEmpty()) {
                    process(records);
                }
            }
        } finally {
            consumer.close(Duration.ofSeconds(5));
            LOG.info("Consumer closed");
        }
    }

    /** Asks the loop to finish its current batch and close; returns at once. */
    public void stop() {
        stopping = true;
        consumer.wakeup();
    }

    private void process(ConsumerRecords<byte[], byte[]> records) {
        metrics.consumed(records.count());
        PresenceBuffer buffer = new PresenceBuffer();
        Map<TopicPartition, Long> firstOffsets = new HashMap<>();
        Map<TopicPartition, OffsetAndMetadata> nextOffsets = new HashMap<>();
        long sequence = 0;
        for (ConsumerRecord<byte[], byte[]> record : records) {
            TopicPartition tp = new TopicPartition(record.topic(), record.partition());
            firstOffsets.putIfAbsent(tp, record.offset());
            nextOffsets.put(tp, new OffsetAndMetadata(record.offset() + 1));
            try {
                buffer.add(decoder.decode(record, sequence++));
            } catch (MalformedEventException e) {
                // bad content: never applied and never allowed to stall the partition
                metrics.rejected(e.rejection());
                LOG.warn("Rejected record {}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
                        e.getMessage());
            }
        }
        List<PresenceChange> changes = buffer.changes();
        try {
            metrics.batchWrite().recordCallable(() -> {
                writer.write(changes);
                return null;
            });
        } catch (Exception e) {
            retryLater(firstOffsets, e);
            return;
        }
        long deletes = changes.stream().filter(PresenceChange::isDelete).count();
        metrics.written(changes.size() - deletes, deletes);
        metrics.superseded(buffer.superseded());
        backoff = Duration.ZERO;
        LOG.debug("Applied {} records as {} changes ({} deletions)", records.count(), changes.size(), deletes);
        commit(nextOffsets);
    }

    private void retryLater(Map<TopicPartition, Long> firstOffsets, Exception e) {
        metrics.writeFailed();
        backoff = backoff.isZero() ? FIRST_BACKOFF : min(backoff.multipliedBy(2), maxBackoff);
        LOG.warn("Writing a batch failed ({}); rewinding {} partition(s) and retrying in {} ms",
                describe(e), firstOffsets.size(), backoff.toMillis());
        Collection<TopicPartition> owned = consumer.assignment();
        firstOffsets.forEach((tp, offset) -> {
            if (owned.contains(tp)) {
                consumer.seek(tp, offset);
            }
        });
        sleep(backoff);
    }

    private void commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        try {
            consumer.commitSync(offsets);
        } catch (WakeupException e) {
            // shutdown raced the commit; the rows are written, so commit them before closing
            consumer.commitSync(offsets);
        } catch (CommitFailedException | RebalanceInProgressException e) {
            // the partitions moved on; the new owner re-applies these records, which the upsert makes harmless
            LOG.info("Offsets not committed after a rebalance ({}); the new owner re-applies them", e.getMessage());
        }
    }

    private void sleep(Duration d) {
        long until = System.nanoTime() + d.toNanos();
        while (!stopping && System.nanoTime() < until) {
            try {
                Thread.sleep(Math.min(100, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                // treated as a request to stop: the batch is polled again by whoever runs next
                Thread.currentThread().interrupt();
                stopping = true;
            }
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static String describe(Exception e) {
        Throwable t = e instanceof SQLException ? e : (e.getCause() != null ? e.getCause() : e);
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    private static final class LoggingRebalanceListener implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // every batch is written and committed before the next poll, so nothing is in flight here
            if (!partitions.isEmpty()) {
                LOG.info("Partitions revoked: {}", partitions);
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                LOG.info("Partitions assigned: {}", partitions);
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            LOG.warn("Partitions lost without a clean hand-over: {}", partitions);
        }
    }
}

package io.agentpresence.consumer.recovery;

import io.agentpresence.consumer.config.KafkaClients;
import io.agentpresence.consumer.config.PresenceConsumerConfig;
import io.agentpresence.consumer.engine.RecordDecoder;
import io.agentpresence.consumer.error.FailureClassifier;
import io.agentpresence.consumer.error.Verdict;
import io.agentpresence.consumer.sink.PresenceBuffer;
import io.agentpresence.consumer.sink.PresenceChange;
import io.agentpresence.consumer.sink.PresenceWriter;
import io.agentpresence.model.MalformedEventException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the presence topic outside any consumer group (assign and seek), so the running group is not
 * disturbed, and applies it through a writer up to given offsets. Used by replay and rebuild; records that
 * are not valid events are skipped (the running consumer has dead-lettered them already).
 */
final class TopicReader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TopicReader.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_ATTEMPTS = 10;

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final RecordDecoder decoder;
    private final FailureClassifier classifier;
    private final List<TopicPartition> partitions;
    private long invalid;

    TopicReader(PresenceConsumerConfig config, String purpose, FailureClassifier classifier) {
        this.classifier = classifier;
        this.consumer = new KafkaConsumer<>(KafkaClients.standaloneConsumer(config, purpose));
        this.decoder = new RecordDecoder(config.codec());
        this.partitions = consumer.partitionsFor(config.topic(), TIMEOUT).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        if (partitions.isEmpty()) {
            throw new IllegalStateException("topic " + config.topic() + " does not exist");
        }
        consumer.assign(partitions);
    }

    List<TopicPartition> partitions() {
        return partitions;
    }

    Map<TopicPartition, Long> endOffsets() {
        return consumer.endOffsets(partitions, TIMEOUT);
    }

    /** The first offset of each partition at or after {@code from}; the end offset where nothing is that new. */
    Map<TopicPartition, Long> offsetsAt(Instant from) {
        if (from == null) {
            return consumer.beginningOffsets(partitions, TIMEOUT);
        }
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(tp -> query.put(tp, from.toEpochMilli()));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query, TIMEOUT);
        Map<TopicPartition, Long> end = endOffsets();
        Map<TopicPartition, Long> start = new HashMap<>();
        partitions.forEach(tp -> start.put(tp, found.get(tp) != null ? found.get(tp).offset() : end.get(tp)));
        return start;
    }

    void seek(Map<TopicPartition, Long> offsets) {
        offsets.forEach(consumer::seek);
    }

    /** Events between the current positions and {@code target}. */
    long remaining(Map<TopicPartition, Long> target) {
        return target.entrySet().stream().mapToLong(e -> Math.max(0, e.getValue() - consumer.position(e.getKey())))
                .sum();
    }

    long invalidRecords() {
        return invalid;
    }

    /** Applies every record up to (not including) {@code target}, one transaction per poll. */
    void applyUntil(Map<TopicPartition, Long> target, PresenceWriter writer, Progress progress) throws Exception {
        while (true) {
            List<TopicPartition> open = partitions.stream()
                    .filter(tp -> consumer.position(tp) < target.getOrDefault(tp, 0L)).toList();
            if (open.isEmpty()) {
                return;
            }
            consumer.pause(partitions);
            consumer.resume(open);
            ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
            PresenceBuffer buffer = new PresenceBuffer();
            long counted = 0;
            long sequence = 0;
            for (ConsumerRecord<byte[], byte[]> record : records) {
                TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                if (record.offset() >= target.getOrDefault(tp, 0L)) {
                    // fetched past the target; the next call (or the live consumer) reads it again
                    consumer.seek(tp, Math.min(consumer.position(tp), record.offset()));
                    continue;
                }
                counted++;
                try {
                    buffer.add(decoder.decode(record, sequence++));
                } catch (MalformedEventException e) {
                    invalid++;
                }
            }
            write(writer, buffer.changes());
            progress.advance(counted);
        }
    }

    private void write(PresenceWriter writer, List<PresenceChange> changes) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                writer.write(changes, List.of());
                return;
            } catch (Exception e) {
                Verdict verdict = classifier.classify(e);
                if (verdict == Verdict.DEAD_LETTER && changes.size() > 1) {
                    // the running consumer dead-lettered the culprit already; apply the others one by one
                    for (PresenceChange change : changes) {
                        write(writer, List.of(change));
                    }
                    return;
                }
                if (verdict == Verdict.DEAD_LETTER) {
                    LOG.warn("Skipping the event for user {}: the database refuses it ({})", changes.get(0).userId(),
                            e.getMessage());
                    invalid++;
                    return;
                }
                if (verdict != Verdict.RETRY || attempt == MAX_ATTEMPTS) {
                    throw e;
                }
                LOG.warn("Write failed ({}); attempt {} of {} in {} ms", e.getMessage(), attempt + 1, MAX_ATTEMPTS,
                        100L << attempt);
                Thread.sleep(100L << attempt);
            }
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}

package io.agentpresence.consumer.recovery;

import io.agentpresence.consumer.config.KafkaClients;
import io.agentpresence.consumer.config.PresenceConsumerConfig;
import io.agentpresence.consumer.engine.AdminTopicLogs;
import io.agentpresence.consumer.engine.CulpritSearch;
import io.agentpresence.consumer.engine.PositionCheck;
import io.agentpresence.consumer.engine.PositionException;
import io.agentpresence.consumer.engine.RecordDecoder;
import io.agentpresence.consumer.engine.RetryBackoff;
import io.agentpresence.consumer.error.FailureClassifier;
import io.agentpresence.consumer.error.Verdict;
import io.agentpresence.consumer.sink.FencedException;
import io.agentpresence.consumer.sink.PresenceBuffer;
import io.agentpresence.consumer.sink.PresenceChange;
import io.agentpresence.consumer.sink.PresenceWriter;
import io.agentpresence.consumer.sink.StoredPosition;
import io.agentpresence.model.MalformedEventException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the presence topic outside any consumer group (assign and seek), so the running group is not
 * disturbed, and applies it through a writer up to given offsets (replay, rebuild) or only decodes it (verify);
 * records that are not valid events, or that the database refuses, are skipped (the running consumer has
 * dead-lettered them).
 */
final class TopicReader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TopicReader.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_ATTEMPTS = 10;

    private final PresenceConsumerConfig config;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final RecordDecoder decoder;
    private final FailureClassifier classifier;
    private final RetryBackoff backoff;
    private final List<TopicPartition> partitions;
    private long invalid;
    /** The id of the topic's incarnation, looked up when first needed: replay never needs it. */
    private String topicId;

    TopicReader(PresenceConsumerConfig config, String purpose, FailureClassifier classifier) {
        this.config = config;
        this.classifier = classifier;
        this.consumer = new KafkaConsumer<>(KafkaClients.standaloneConsumer(config, purpose));
        this.decoder = new RecordDecoder(config.codec());
        this.backoff = new RetryBackoff(purpose + ": writing to the database", config.retryBackoffMax());
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

    /** What is done with the changes of one poll. */
    interface PollHandler {
        /**
         * @param changes the valid records' changes, in log order within each partition
         * @param records the records they came from, invalid ones included
         */
        void accept(List<PresenceChange> changes, long records) throws Exception;
    }

    /**
     * Applies every record up to (not including) {@code target}, one transaction per poll.
     *
     * @return whether it got there; false when {@code deadline} passed first
     */
    boolean applyUntil(Map<TopicPartition, Long> target, PresenceWriter writer, Progress progress, Deadline deadline)
            throws Exception {
        return readUntil(target, deadline, (changes, records) -> {
            PresenceBuffer buffer = new PresenceBuffer();
            changes.forEach(buffer::add);
            write(writer, buffer.changes(), deadline);
            progress.advance(records);
        });
    }

    /**
     * Decodes every record up to (not including) {@code target} as the running consumer does, and hands each
     * poll's changes to {@code handler}; records that are not valid events are counted and left out.
     *
     * @return whether it got there; false when {@code deadline} passed first
     */
    boolean readUntil(Map<TopicPartition, Long> target, Deadline deadline, PollHandler handler) throws Exception {
        while (true) {
            List<TopicPartition> open = partitions.stream()
                    .filter(tp -> consumer.position(tp) < target.getOrDefault(tp, 0L)).toList();
            if (open.isEmpty()) {
                return true;
            }
            if (deadline.passed()) {
                return false;
            }
            consumer.pause(partitions);
            consumer.resume(open);
            ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
            List<PresenceChange> changes = new ArrayList<>(records.count());
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
                    changes.add(decoder.decode(record, sequence++));
                } catch (MalformedEventException e) {
                    invalid++;
                }
            }
            handler.accept(changes, counted);
        }
    }

    /**
     * Refuses positions the group stored for an earlier incarnation of the topic (deleted and created again under
     * the same name): their offsets mean nothing in this log, even where it reaches them. Stored positions pass here
     * before they are used, as they pass {@link PositionCheck} in the running consumer.
     */
    void checkIncarnation(Collection<StoredPosition> stored) throws Exception {
        if (topicId == null) {
            // the consumer cannot give the id
            try (Admin admin = Admin.create(KafkaClients.admin(config))) {
                topicId = new AdminTopicLogs(admin, TIMEOUT).read(config.topic(), partitions).topicId();
            }
        }
        PositionCheck.refuseRecreated(config.groupId(), config.topic(), stored, topicId);
    }

    /**
     * Refuses a target the log cannot reach, for which {@link #applyUntil} would wait forever: an offset beyond a
     * partition's end ({@code end}, as just read), or a partition the topic does not have (both come from positions
     * stored for another log). A target built from stored positions passes here once, before it is used.
     */
    void checkReachable(Map<TopicPartition, Long> target, Map<TopicPartition, Long> end) {
        String topic = partitions.get(0).topic();
        List<Integer> unknown = target.keySet().stream().filter(tp -> !partitions.contains(tp))
                .map(TopicPartition::partition).sorted().toList();
        if (!unknown.isEmpty()) {
            throw new PositionException("positions are stored for partitions " + unknown + " of topic " + topic
                    + ", which has " + partitions.size() + " partitions: the topic was recreated with fewer partitions,"
                    + " or the positions belong elsewhere; check the topic and remove the obsolete positions");
        }
        for (Map.Entry<TopicPartition, Long> e : target.entrySet()) {
            if (e.getValue() > end.get(e.getKey())) {
                throw new PositionException("cannot read " + e.getKey() + " up to offset " + e.getValue()
                        + ": its log ends at " + end.get(e.getKey()) + ". A position stored beyond the log end means"
                        + " the log lost records that were applied (unclean leader election, a broker restored from an"
                        + " older disk) or the topic was recreated; check the topic and the stored positions");
            }
        }
    }

    /**
     * Writes one poll's changes, retried with the service's back-off while the database fails; gives up after
     * {@value #MAX_ATTEMPTS} attempts or at the deadline, as a command should not wait for ever.
     */
    private void write(PresenceWriter writer, List<PresenceChange> changes, Deadline deadline) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                writeSkippingRefused(writer, changes);
                backoff.recovered();
                return;
            } catch (SQLException e) {
                if (classifier.classify(e) == Verdict.FATAL || attempt == MAX_ATTEMPTS || deadline.passed()) {
                    throw e;
                }
                backoff.failed(e.getMessage());
                deadline.awaitDue(backoff);
            }
        }
    }

    /** The running consumer has dead-lettered the changes the database refuses; here they are left out. */
    private void writeSkippingRefused(PresenceWriter writer, List<PresenceChange> changes)
            throws SQLException, FencedException {
        try {
            writer.write(changes, List.of());
        } catch (SQLException e) {
            if (classifier.classify(e) != Verdict.DEAD_LETTER) {
                throw e;
            }
            List<CulpritSearch.Culprit> culprits = new CulpritSearch(writer, classifier).find(changes);
            if (culprits.isEmpty()) {
                // the failure did not reproduce part by part; the caller retries the whole poll
                throw e;
            }
            Set<PresenceChange> refused = new HashSet<>();
            culprits.forEach(culprit -> refused.add(culprit.change()));
            writer.write(changes.stream().filter(change -> !refused.contains(change)).toList(), List.of());
            for (CulpritSearch.Culprit culprit : culprits) {
                LOG.warn("Skipped the event for user {}: the database refuses it ({})", culprit.change().userId(),
                        culprit.cause().getMessage());
            }
            invalid += culprits.size();
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}

package io.agentpresence.consumer.error;

import io.agentpresence.model.PresenceTopics;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Sends rejected records to the dead-letter topic: the original key, value, timestamp and headers, plus
 * headers naming the reason, the exception, where the record came from and which group rejected it.
 */
public final class DeadLetterPublisher implements AutoCloseable {

    static final int MAX_MESSAGE_LENGTH = 1_000;

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final String groupId;

    public DeadLetterPublisher(Producer<byte[], byte[]> producer, String topic, String groupId) {
        this.producer = producer;
        this.topic = topic;
        this.groupId = groupId;
    }

    /** The future completes when the broker has the dead letter on all in-sync replicas. */
    public CompletableFuture<RecordMetadata> send(DeadLetter letter) {
        var original = letter.record();
        RecordHeaders headers = new RecordHeaders();
        for (Header h : original.headers()) {
            headers.add(h);
        }
        header(headers, PresenceTopics.HEADER_REASON, letter.reason());
        header(headers, PresenceTopics.HEADER_EXCEPTION_CLASS, letter.error().getClass().getName());
        header(headers, PresenceTopics.HEADER_EXCEPTION_MESSAGE, truncate(String.valueOf(letter.error().getMessage())));
        header(headers, PresenceTopics.HEADER_ORIGINAL_TOPIC, original.topic());
        header(headers, PresenceTopics.HEADER_ORIGINAL_PARTITION, String.valueOf(original.partition()));
        header(headers, PresenceTopics.HEADER_ORIGINAL_OFFSET, String.valueOf(original.offset()));
        header(headers, PresenceTopics.HEADER_CONSUMER_GROUP, groupId);
        Long timestamp = original.timestamp() >= 0 ? original.timestamp() : null;
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, timestamp, original.key(),
                original.value(), headers);
        CompletableFuture<RecordMetadata> result = new CompletableFuture<>();
        producer.send(record, (metadata, error) -> {
            if (error != null) {
                result.completeExceptionally(error);
            } else {
                result.complete(metadata);
            }
        });
        return result;
    }

    private static void header(RecordHeaders headers, String name, String value) {
        headers.remove(name);
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    private static String truncate(String s) {
        return s.length() <= MAX_MESSAGE_LENGTH ? s : s.substring(0, MAX_MESSAGE_LENGTH) + "…";
    }

    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(5));
    }
}

package io.agentpresence.consumer.error;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Headers;

/**
 * Sends rejected records to the dead-letter topic: the original key, value, timestamp and headers, plus
 * headers naming the reason, the exception, where the record came from and which group rejected it.
 */
public final class DeadLetterPublisher implements AutoCloseable {

    static final int MAX_MESSAGE_LENGTH = DeadLetterHeaders.MAX_MESSAGE_LENGTH;

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
        Headers headers = DeadLetterHeaders.of(original.headers(), letter.reason(), letter.error(), original.topic(),
                original.partition(), original.offset(), groupId);
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

    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(5));
    }
}

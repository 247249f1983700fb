package io.agentpresence.consumer.error;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends rejected records to the dead-letter topic: the original key, value, timestamp and headers, cut to fit
 * ({@link DeadLetterCopy}), plus headers naming the reason, the exception, where the record came from and which
 * group rejected it. A copy the topic refuses as too large goes again without its value; what the topic refuses
 * for good stops the consumer ({@link DeadLetterRefusedException}), what it fails to take for now is retried
 * ({@link DeadLetterUnavailableException}).
 */
public final class DeadLetterPublisher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterPublisher.class);
    static final int MAX_MESSAGE_LENGTH = DeadLetterHeaders.MAX_MESSAGE_LENGTH;

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final String groupId;
    private final int maxValueBytes;

    public DeadLetterPublisher(Producer<byte[], byte[]> producer, String topic, String groupId, int maxValueBytes) {
        this.producer = producer;
        this.topic = topic;
        this.groupId = groupId;
        this.maxValueBytes = maxValueBytes;
    }

    /**
     * Sends every letter and returns once the broker has them all on its in-sync replicas.
     *
     * @throws DeadLetterUnavailableException when the topic did not take them within {@code timeout}: retry later
     * @throws DeadLetterRefusedException when it never will take one of them, not even without its value
     */
    public void publish(List<DeadLetter> letters, Duration timeout) throws InterruptedException,
            DeadLetterUnavailableException, DeadLetterRefusedException {
        List<ProducerRecord<byte[], byte[]>> records = letters.stream().map(this::record).toList();
        List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>();
        records.forEach(record -> acks.add(send(DeadLetterCopy.fitted(record, maxValueBytes))));
        await(acks, timeout);
        List<CompletableFuture<RecordMetadata>> minimal = new ArrayList<>();
        List<DeadLetter> resent = new ArrayList<>();
        Throwable passing = null;
        for (int i = 0; i < letters.size(); i++) {
            Throwable error = failure(acks.get(i));
            if (DeadLetterCopy.tooLarge(error)) {
                LOG.warn("The dead-letter topic {} refuses {} even with its value cut to {} bytes ({}); sending it"
                        + " without its value and original headers. Raise the topic's {} (and kafka.{}), or lower"
                        + " dlq.max.value.bytes", topic, origin(letters.get(i)), maxValueBytes, error.getMessage(),
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
                resent.add(letters.get(i));
                minimal.add(send(DeadLetterCopy.minimal(records.get(i))));
            } else if (error != null) {
                passing = retriable(letters.get(i), error, passing);
            }
        }
        await(minimal, timeout);
        for (int i = 0; i < resent.size(); i++) {
            Throwable error = failure(minimal.get(i));
            if (error != null) {
                passing = retriable(resent.get(i), error, passing);
            }
        }
        if (passing != null) {
            throw new DeadLetterUnavailableException(passing);
        }
    }

    private ProducerRecord<byte[], byte[]> record(DeadLetter letter) {
        var original = letter.record();
        Headers headers = DeadLetterHeaders.of(original.headers(), letter.reason(), letter.error(), original.topic(),
                original.partition(), original.offset(), groupId);
        Long timestamp = original.timestamp() >= 0 ? original.timestamp() : null;
        return new ProducerRecord<>(topic, null, timestamp, original.key(), original.value(), headers);
    }

    private CompletableFuture<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
        CompletableFuture<RecordMetadata> result = new CompletableFuture<>();
        try {
            producer.send(record, (metadata, error) -> {
                if (error != null) {
                    result.completeExceptionally(error);
                } else {
                    result.complete(metadata);
                }
            });
        } catch (KafkaException e) {
            // some failures (serialization, a closed producer) are thrown instead of passed to the callback
            result.completeExceptionally(e);
        }
        return result;
    }

    private static void await(List<CompletableFuture<RecordMetadata>> acks, Duration timeout)
            throws InterruptedException, DeadLetterUnavailableException {
        try {
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            // every send has completed; each one's failure is judged on its own
        } catch (TimeoutException e) {
            throw new DeadLetterUnavailableException(e);
        }
    }

    private static Throwable failure(CompletableFuture<RecordMetadata> ack) {
        try {
            ack.join();
            return null;
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    /**
     * A failure that passes (broker down, a timeout, too few in-sync replicas) is kept for a retry, the first one
     * seen; any other means the topic will never take the letter, which stops the consumer.
     */
    private Throwable retriable(DeadLetter letter, Throwable error, Throwable earlier)
            throws DeadLetterRefusedException {
        if (error instanceof RetriableException || error instanceof InterruptException) {
            // an interrupt comes with shutdown; the batch is kept and read again by whoever owns the partition next
            return earlier != null ? earlier : error;
        }
        String fix = DeadLetterCopy.tooLarge(error)
                ? "even without its value it is too large: raise the topic's " + TopicConfig.MAX_MESSAGE_BYTES_CONFIG
                        + " (and kafka." + ProducerConfig.MAX_REQUEST_SIZE_CONFIG + ")"
                : "check the topic and the dead-letter producer's kafka.* settings";
        throw new DeadLetterRefusedException("the dead-letter topic " + topic + " refuses " + origin(letter) + " ("
                + error + "); " + fix, error);
    }

    private static String origin(DeadLetter letter) {
        return letter.record().topic() + "-" + letter.record().partition() + "@" + letter.record().offset();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}

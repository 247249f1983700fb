package io.agentpresence.model;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes presence events the way the consumer expects them: keyed by userId (so Kafka's default murmur2
 * partitioner keeps each user on one partition), validated before sending, through an idempotent producer
 * with {@code acks=all}. Thread-safe; share one instance per process.
 */
public final class PresencePublisher implements AutoCloseable {

    /** How long a send may take before it fails, retries included. */
    public static final Duration DEFAULT_DELIVERY_TIMEOUT = Duration.ofSeconds(30);
    /** How long one request may wait for the broker; Kafka requires linger.ms + this ≤ the delivery timeout. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final PresenceEventCodec codec;

    public PresencePublisher(String bootstrapServers, String topic) {
        this(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), topic, new PresenceEventCodec());
    }

    /**
     * @param producerConfig Kafka producer settings; they override the safe defaults of
     *                       {@link #producerSettings(Map)}, except the serializers, which are fixed.
     */
    public PresencePublisher(Map<String, ?> producerConfig, String topic, PresenceEventCodec codec) {
        this.topic = Objects.requireNonNull(topic, "topic");
        this.codec = Objects.requireNonNull(codec, "codec");
        this.producer = new KafkaProducer<>(producerSettings(producerConfig));
    }

    /** The settings every publisher should use: no loss (acks=all, idempotence) and no reordering per key. */
    public static Map<String, Object> producerSettings(Map<String, ?> overrides) {
        Map<String, Object> settings = new HashMap<>();
        settings.put(ProducerConfig.ACKS_CONFIG, "all");
        settings.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        settings.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        settings.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        settings.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        settings.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) DEFAULT_DELIVERY_TIMEOUT.toMillis());
        // Kafka's default request timeout (30 s) plus linger.ms would exceed the delivery timeout and fail construction
        settings.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) REQUEST_TIMEOUT.toMillis());
        settings.putAll(overrides);
        settings.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        settings.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return settings;
    }

    /** Sends an event; the future completes when the broker has it on all in-sync replicas. */
    public CompletableFuture<RecordMetadata> publish(PresenceEvent event) throws MalformedEventException {
        return publish(topic, event);
    }

    /**
     * Sends an event to {@code topic} rather than this publisher's own, e.g. a device's event to the device-level
     * topic a fold reads; the same key, validation and guarantees apply.
     */
    public CompletableFuture<RecordMetadata> publish(String topic, PresenceEvent event) throws MalformedEventException {
        Objects.requireNonNull(topic, "topic");
        byte[] value = codec.encode(event);
        return send(new ProducerRecord<>(topic, PresenceEventCodec.key(event.userId()), value));
    }

    /** Sends a tombstone: the consumer deletes the user's row unless it holds a newer event. */
    public CompletableFuture<RecordMetadata> delete(String userId) throws MalformedEventException {
        codec.decodeTombstoneKey(PresenceEventCodec.key(userId));
        return send(new ProducerRecord<>(topic, PresenceEventCodec.key(userId), null));
    }

    private CompletableFuture<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
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

    /**
     * Blocks until the producer knows {@code topic}'s partitions, as its first send to it would, up to the
     * producer's {@code max.block.ms}; a caller that stamps an event with the current time does so after this,
     * so the time is when the event leaves rather than when the producer started.
     */
    public void awaitTopic(String topic) {
        producer.partitionsFor(Objects.requireNonNull(topic, "topic"));
    }

    public String topic() {
        return topic;
    }

    /** Blocks until every event sent so far is acknowledged or has failed. */
    public void flush() {
        producer.flush();
    }

    public void close(Duration timeout) {
        producer.close(timeout);
    }

    @Override
    public void close() {
        producer.close();
    }
}

package io.agentpresence.consumer.error;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.agentpresence.model.MalformedEventException;
import io.agentpresence.model.PresenceTopics;
import io.agentpresence.model.Rejection;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class DeadLetterPublisherTest {

    private static final String DLQ = "agent-presence.dlq";
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final int MAX_VALUE_BYTES = 1024;

    @Test
    void aDeadLetterKeepsTheOriginalBytesTimestampAndHeadersAndSaysWhyAndWhence() throws Exception {
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(),
                new ByteArraySerializer());
        RecordHeaders original = new RecordHeaders();
        original.add("trace-id", "abc".getBytes(StandardCharsets.UTF_8));
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("agent-presence", 3, 42L, 1_700_000_000_000L,
                TimestampType.CREATE_TIME, 1, 8, "u1".getBytes(StandardCharsets.UTF_8),
                "not json".getBytes(StandardCharsets.UTF_8), original, Optional.empty());

        try (DeadLetterPublisher publisher = publisher(producer)) {
            publisher.publish(List.of(new DeadLetter(record, "malformed-json",
                    new IllegalStateException("x".repeat(5_000)))), TIMEOUT);
        }

        ProducerRecord<byte[], byte[]> sent = producer.history().get(0);
        assertThat(sent.topic()).isEqualTo("agent-presence.dlq");
        assertThat(sent.key()).isEqualTo(record.key());
        assertThat(sent.value()).isEqualTo(record.value());
        assertThat(sent.timestamp()).isEqualTo(1_700_000_000_000L);
        assertThat(header(sent, "trace-id")).isEqualTo("abc");
        assertThat(header(sent, PresenceTopics.HEADER_REASON)).isEqualTo("malformed-json");
        assertThat(header(sent, PresenceTopics.HEADER_EXCEPTION_CLASS)).isEqualTo(IllegalStateException.class.getName());
        assertThat(header(sent, PresenceTopics.HEADER_EXCEPTION_MESSAGE)).hasSize(DeadLetterPublisher.MAX_MESSAGE_LENGTH + 1);
        assertThat(header(sent, PresenceTopics.HEADER_ORIGINAL_TOPIC)).isEqualTo("agent-presence");
        assertThat(header(sent, PresenceTopics.HEADER_ORIGINAL_PARTITION)).isEqualTo("3");
        assertThat(header(sent, PresenceTopics.HEADER_ORIGINAL_OFFSET)).isEqualTo("42");
        assertThat(header(sent, PresenceTopics.HEADER_CONSUMER_GROUP)).isEqualTo("presence-consumer");
    }

    @Test
    void aValueOrKeyTooLongIsCutAndTheHeadersGiveTheOriginalSizeAndChecksum() throws Exception {
        MockProducer<byte[], byte[]> producer = new SizeLimitedProducer(Integer.MAX_VALUE);
        byte[] value = bytes(5_000);
        byte[] key = bytes(2_000);
        ConsumerRecord<byte[], byte[]> small = record(utf8("u1"), utf8("not json"), new RecordHeaders());

        publisher(producer).publish(List.of(letter(record(key, value, new RecordHeaders())), letter(small)), TIMEOUT);

        ProducerRecord<byte[], byte[]> cut = producer.history().get(0);
        assertThat(cut.value()).isEqualTo(Arrays.copyOf(value, MAX_VALUE_BYTES));
        assertThat(header(cut, PresenceTopics.HEADER_VALUE_TRUNCATED)).isEqualTo("true");
        assertThat(header(cut, PresenceTopics.HEADER_VALUE_SIZE)).isEqualTo("5000");
        assertThat(header(cut, PresenceTopics.HEADER_VALUE_SHA256)).isEqualTo(sha256(value));
        assertThat(cut.key()).isEqualTo(Arrays.copyOf(key, DeadLetterCopy.MAX_KEY_BYTES));
        assertThat(header(cut, PresenceTopics.HEADER_KEY_TRUNCATED)).isEqualTo("true");
        assertThat(header(cut, PresenceTopics.HEADER_KEY_SIZE)).isEqualTo("2000");
        assertThat(header(cut, PresenceTopics.HEADER_KEY_SHA256)).isEqualTo(sha256(key));
        ProducerRecord<byte[], byte[]> whole = producer.history().get(1);
        assertThat(whole.value()).isEqualTo(small.value());
        assertThat(whole.headers().lastHeader(PresenceTopics.HEADER_VALUE_TRUNCATED)).isNull();
        assertThat(whole.headers().lastHeader(PresenceTopics.HEADER_KEY_TRUNCATED)).isNull();
    }

    @Test
    void whenTheTopicRefusesTheCutCopyAsTooLargeACopyWithoutValueAndOriginalHeadersGoesInstead() throws Exception {
        MockProducer<byte[], byte[]> producer = new SizeLimitedProducer(4_096);
        RecordHeaders original = new RecordHeaders();
        original.add("trace", bytes(10_000));
        byte[] value = utf8("{\"userId\":\"u1\",\"status\":\"dancing\"}");

        publisher(producer).publish(List.of(letter(record(utf8("u1"), value, original))), TIMEOUT);

        assertThat(producer.history()).hasSize(1);
        ProducerRecord<byte[], byte[]> minimal = producer.history().get(0);
        assertThat(minimal.key()).isEqualTo(utf8("u1"));
        assertThat(minimal.value()).isEmpty();
        assertThat(minimal.headers().lastHeader("trace")).isNull();
        assertThat(header(minimal, PresenceTopics.HEADER_HEADERS_DROPPED)).isEqualTo("1");
        assertThat(header(minimal, PresenceTopics.HEADER_VALUE_TRUNCATED)).isEqualTo("true");
        assertThat(header(minimal, PresenceTopics.HEADER_VALUE_SIZE)).isEqualTo(String.valueOf(value.length));
        assertThat(header(minimal, PresenceTopics.HEADER_VALUE_SHA256)).isEqualTo(sha256(value));
        assertThat(header(minimal, PresenceTopics.HEADER_REASON)).isEqualTo("unknown-status");
        assertThat(header(minimal, PresenceTopics.HEADER_ORIGINAL_OFFSET)).isEqualTo("42");
    }

    @Test
    void whenTheTopicRefusesEvenTheCopyWithoutValueTheConsumerStopsNamingTheTopicAndTheSetting() {
        MockProducer<byte[], byte[]> producer = new SizeLimitedProducer(64);
        DeadLetterPublisher publisher = publisher(producer);

        DeadLetterRefusedException refused = assertThrows(DeadLetterRefusedException.class, () -> publisher.publish(
                List.of(letter(record(utf8("u1"), utf8("not json"), new RecordHeaders()))), TIMEOUT));

        assertThat(refused.getMessage()).contains(DLQ, "agent-presence-3@42", "max.message.bytes",
                "kafka.max.request.size");
        assertThat(new FailureClassifier().classify(refused)).isEqualTo(Verdict.FATAL);
    }

    @Test
    void aDeadLetterTheTopicRefusesForGoodStopsTheConsumerInsteadOfBeingRetried() {
        MockProducer<byte[], byte[]> producer = new SizeLimitedProducer(Integer.MAX_VALUE);
        producer.sendException = new InvalidTopicException("no such name");

        DeadLetterRefusedException refused = assertThrows(DeadLetterRefusedException.class, () -> publisher(producer)
                .publish(List.of(letter(record(utf8("u1"), utf8("x"), new RecordHeaders()))), TIMEOUT));

        assertThat(refused.getMessage()).contains(DLQ, "InvalidTopicException");
        assertThat(new FailureClassifier().classify(refused)).isEqualTo(Verdict.FATAL);
    }

    @Test
    void aDeadLetterTheTopicFailsToTakeForNowIsRetried() {
        MockProducer<byte[], byte[]> producer = new SizeLimitedProducer(Integer.MAX_VALUE);
        producer.sendException = new NotEnoughReplicasException("1 of 2 in sync");

        DeadLetterUnavailableException unavailable = assertThrows(DeadLetterUnavailableException.class,
                () -> publisher(producer).publish(List.of(letter(record(utf8("u1"), utf8("x"), new RecordHeaders()))),
                        TIMEOUT));

        assertThat(new FailureClassifier().classify(unavailable)).isEqualTo(Verdict.RETRY);
    }

    /** A producer whose broker refuses records larger than {@code limit} bytes of key, value and headers. */
    private static final class SizeLimitedProducer extends MockProducer<byte[], byte[]> {

        private final int limit;

        SizeLimitedProducer(int limit) {
            super(true, null, new ByteArraySerializer(), new ByteArraySerializer());
            this.limit = limit;
        }

        @Override
        public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
            int size = length(record.key()) + length(record.value());
            for (Header h : record.headers()) {
                size += h.key().length() + length(h.value());
            }
            if (size > limit) {
                RecordTooLargeException e = new RecordTooLargeException("The message is " + size + " bytes");
                callback.onCompletion(null, e);
                return CompletableFuture.failedFuture(e);
            }
            return super.send(record, callback);
        }

        private static int length(byte[] bytes) {
            return bytes == null ? 0 : bytes.length;
        }
    }

    private static DeadLetterPublisher publisher(MockProducer<byte[], byte[]> producer) {
        return new DeadLetterPublisher(producer, DLQ, "presence-consumer", MAX_VALUE_BYTES);
    }

    private static ConsumerRecord<byte[], byte[]> record(byte[] key, byte[] value, RecordHeaders headers) {
        return new ConsumerRecord<>("agent-presence", 3, 42L, 1_700_000_000_000L, TimestampType.CREATE_TIME,
                -1, -1, key, value, headers, Optional.empty());
    }

    private static DeadLetter letter(ConsumerRecord<byte[], byte[]> record) {
        return new DeadLetter(record, Rejection.UNKNOWN_STATUS.code(), new MalformedEventException(
                Rejection.UNKNOWN_STATUS, "dancing"));
    }

    private static byte[] bytes(int length) {
        byte[] bytes = new byte[length];
        new Random(length).nextBytes(bytes);
        return bytes;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static String header(ProducerRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}

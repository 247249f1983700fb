package io.agentpresence.consumer.error;

import io.agentpresence.model.PresenceTopics;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Makes a dead letter fit its topic: a value longer than the configured size, or a key longer than any valid
 * userId, is cut, with headers giving the original's size and SHA-256. The {@link #minimal} copy, for a topic
 * that refuses even that, keeps no value and only the dead-letter headers. Shared by the consumer and the fold.
 */
public final class DeadLetterCopy {

    /** A valid key is a userId of at most 191 characters, 764 bytes of UTF-8; a longer one is cut to this. */
    public static final int MAX_KEY_BYTES = 1024;
    /** The dead-letter headers' common prefix; the {@link #minimal} copy keeps only these. */
    static final String DEAD_LETTER_HEADER_PREFIX = "presence.dlq.";
    /** A record batch's header, then a record's own fields: its size, attributes, timestamp and offset deltas. */
    private static final int BATCH_OVERHEAD = 61;
    private static final int RECORD_OVERHEAD = 21;
    private static final int MAX_VARINT_BYTES = 5;

    private DeadLetterCopy() {
    }

    /** The record with its value cut to {@code maxValueBytes} and its key to {@link #MAX_KEY_BYTES}, where longer. */
    public static ProducerRecord<byte[], byte[]> fitted(ProducerRecord<byte[], byte[]> letter, int maxValueBytes) {
        Headers headers = new RecordHeaders();
        letter.headers().forEach(headers::add);
        return fit(letter, headers, maxValueBytes);
    }

    /**
     * The smallest copy that still says what and where the record was: an empty value, the key cut as in
     * {@link #fitted}, and of the headers only the dead-letter ones (the rest counted in a header).
     */
    public static ProducerRecord<byte[], byte[]> minimal(ProducerRecord<byte[], byte[]> letter) {
        Headers headers = new RecordHeaders();
        int dropped = 0;
        for (Header h : letter.headers()) {
            if (h.key().startsWith(DEAD_LETTER_HEADER_PREFIX)) {
                headers.add(h);
            } else {
                dropped++;
            }
        }
        if (dropped > 0) {
            DeadLetterHeaders.set(headers, PresenceTopics.HEADER_HEADERS_DROPPED, String.valueOf(dropped));
        }
        return fit(letter, headers, 0);
    }

    /**
     * At least the size the producer checks against its {@code max.request.size}: a batch of this one record, its
     * key, value and every header, each length counted at its longest varint. For a sender that cannot send again
     * after a refusal, to choose between the {@link #fitted} and the {@link #minimal} copy before sending.
     */
    public static long sizeUpperBound(ProducerRecord<byte[], byte[]> record) {
        long size = BATCH_OVERHEAD + RECORD_OVERHEAD + length(record.key()) + length(record.value())
                + MAX_VARINT_BYTES;
        for (Header h : record.headers()) {
            size += length(h.key().getBytes(StandardCharsets.UTF_8)) + length(h.value());
        }
        return size;
    }

    private static long length(byte[] bytes) {
        return MAX_VARINT_BYTES + (bytes == null ? 0 : bytes.length);
    }

    /** Whether the broker refused a record for its size: a retry of the same record cannot help. */
    public static boolean tooLarge(Throwable error) {
        return error instanceof RecordTooLargeException || error instanceof RecordBatchTooLargeException;
    }

    /** The letter with {@code headers}, its key cut to {@link #MAX_KEY_BYTES} and its value to {@code maxValueBytes}. */
    private static ProducerRecord<byte[], byte[]> fit(ProducerRecord<byte[], byte[]> letter, Headers headers,
                                                      int maxValueBytes) {
        byte[] key = cut(letter.key(), MAX_KEY_BYTES, headers, PresenceTopics.HEADER_KEY_TRUNCATED,
                PresenceTopics.HEADER_KEY_SIZE, PresenceTopics.HEADER_KEY_SHA256);
        byte[] value = cut(letter.value(), maxValueBytes, headers, PresenceTopics.HEADER_VALUE_TRUNCATED,
                PresenceTopics.HEADER_VALUE_SIZE, PresenceTopics.HEADER_VALUE_SHA256);
        return new ProducerRecord<>(letter.topic(), letter.partition(), letter.timestamp(), key, value, headers);
    }

    private static byte[] cut(byte[] bytes, int max, Headers headers, String truncated, String size, String sha256) {
        if (bytes == null || bytes.length <= max) {
            return bytes;
        }
        DeadLetterHeaders.set(headers, truncated, "true");
        DeadLetterHeaders.set(headers, size, String.valueOf(bytes.length));
        DeadLetterHeaders.set(headers, sha256, sha256(bytes));
        // an empty value, not null: a dead letter without its value must not read as a tombstone
        return Arrays.copyOf(bytes, max);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            // every Java platform must provide SHA-256
            throw new IllegalStateException(e);
        }
    }
}

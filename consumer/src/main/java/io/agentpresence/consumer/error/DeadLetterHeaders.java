package io.agentpresence.consumer.error;

import io.agentpresence.model.PresenceTopics;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The headers of a dead letter: the original record's own, plus the reason, the exception, where the record
 * came from and which group (or Kafka Streams application) rejected it. Shared by the consumer and the fold.
 */
public final class DeadLetterHeaders {

    static final int MAX_MESSAGE_LENGTH = 1_000;

    private DeadLetterHeaders() {
    }

    public static Headers of(Iterable<Header> original, String reason, Throwable error, String topic, int partition,
                             long offset, String group) {
        RecordHeaders headers = new RecordHeaders();
        for (Header h : original) {
            headers.add(h);
        }
        set(headers, PresenceTopics.HEADER_REASON, reason);
        set(headers, PresenceTopics.HEADER_EXCEPTION_CLASS, error.getClass().getName());
        set(headers, PresenceTopics.HEADER_EXCEPTION_MESSAGE, truncate(String.valueOf(error.getMessage())));
        set(headers, PresenceTopics.HEADER_ORIGINAL_TOPIC, topic);
        set(headers, PresenceTopics.HEADER_ORIGINAL_PARTITION, String.valueOf(partition));
        set(headers, PresenceTopics.HEADER_ORIGINAL_OFFSET, String.valueOf(offset));
        set(headers, PresenceTopics.HEADER_CONSUMER_GROUP, group);
        return headers;
    }

    /** Sets a header, replacing one of the same name. */
    static void set(Headers headers, String name, String value) {
        headers.remove(name);
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    private static String truncate(String s) {
        return s.length() <= MAX_MESSAGE_LENGTH ? s : s.substring(0, MAX_MESSAGE_LENGTH) + "…";
    }
}

package io.agentpresence.model;

/** Topic names and record header names shared by publishers, the consumer and the dead-letter topic. */
public final class PresenceTopics {

    /** The default topic of user-level presence events, keyed by userId. */
    public static final String DEFAULT_TOPIC = "agent-presence";
    /** The default topic of device-level events (contract v1.1, with a device), which the fold reads. */
    public static final String DEFAULT_DEVICE_TOPIC = "agent-presence.devices";
    /** The default dead-letter topic for records that cannot be applied because of their content. */
    public static final String DEFAULT_DLQ_TOPIC = "agent-presence.dlq";

    /** Dead-letter header: short stable rejection code, e.g. {@code unknown-status}. */
    public static final String HEADER_REASON = "presence.dlq.reason";
    public static final String HEADER_EXCEPTION_CLASS = "presence.dlq.exception.class";
    public static final String HEADER_EXCEPTION_MESSAGE = "presence.dlq.exception.message";
    public static final String HEADER_ORIGINAL_TOPIC = "presence.dlq.original.topic";
    public static final String HEADER_ORIGINAL_PARTITION = "presence.dlq.original.partition";
    public static final String HEADER_ORIGINAL_OFFSET = "presence.dlq.original.offset";
    public static final String HEADER_CONSUMER_GROUP = "presence.dlq.consumer.group";
    /**
     * Dead-letter header {@code true} when the value was cut to fit the dead-letter topic (or left out: a copy
     * without a value); the original's size in bytes and its SHA-256 (lowercase hex) follow in the next two.
     */
    public static final String HEADER_VALUE_TRUNCATED = "presence.dlq.value.truncated";
    public static final String HEADER_VALUE_SIZE = "presence.dlq.value.size";
    public static final String HEADER_VALUE_SHA256 = "presence.dlq.value.sha256";
    /** As the three value headers, for a key too long to copy whole. */
    public static final String HEADER_KEY_TRUNCATED = "presence.dlq.key.truncated";
    public static final String HEADER_KEY_SIZE = "presence.dlq.key.size";
    public static final String HEADER_KEY_SHA256 = "presence.dlq.key.sha256";
    /** Dead-letter header: how many of the original record's headers were left out to make the copy fit. */
    public static final String HEADER_HEADERS_DROPPED = "presence.dlq.headers.dropped";

    private PresenceTopics() {
    }
}

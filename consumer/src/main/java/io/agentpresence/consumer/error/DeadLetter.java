package io.agentpresence.consumer.error;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/** A record that cannot be applied, with a short stable reason code and the failure that says why. */
public record DeadLetter(ConsumerRecord<byte[], byte[]> record, String reason, Throwable error) {

    /** Reason code for a record the codec accepted but the database refused (e.g. a value too long). */
    public static final String DATABASE_REJECTED = "database-rejected";
}

package io.agentpresence.consumer.engine;

import io.agentpresence.consumer.sink.PresenceChange;
import io.agentpresence.model.MalformedEventException;
import io.agentpresence.model.PresenceEventCodec;
import io.agentpresence.model.Rejection;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Turns a raw record into a change for the table, or says in a {@link MalformedEventException} why it cannot. */
public final class RecordDecoder {

    private final PresenceEventCodec codec;

    public RecordDecoder(PresenceEventCodec codec) {
        this.codec = codec;
    }

    public PresenceChange decode(ConsumerRecord<byte[], byte[]> record, long sequence) throws MalformedEventException {
        if (record.value() == null) {
            String userId = codec.decodeTombstoneKey(record.key());
            if (record.timestamp() < 0) {
                throw new MalformedEventException(Rejection.INVALID_TS, "a tombstone needs a record timestamp");
            }
            return PresenceChange.delete(userId, record.timestamp(), sequence);
        }
        return PresenceChange.of(codec.decode(record.key(), record.value(), record.timestamp()), sequence);
    }
}

package io.agentpresence.consumer.engine;

import io.agentpresence.consumer.sink.PresenceChange;
import io.agentpresence.model.MalformedEventException;
import io.agentpresence.model.PresenceEventCodec;
import io.agentpresence.model.Rejection;
import java.time.Clock;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Turns a raw record into a change for the table, or says in a {@link MalformedEventException} why it cannot. */
public final class RecordDecoder {

    private final PresenceEventCodec codec;
    private final Clock clock;

    public RecordDecoder(PresenceEventCodec codec) {
        this(codec, Clock.systemUTC());
    }

    /** @param clock bounds how far ahead a tombstone's time may lie: a tombstone carries no other time to compare */
    public RecordDecoder(PresenceEventCodec codec, Clock clock) {
        this.codec = codec;
        this.clock = clock;
    }

    public PresenceChange decode(ConsumerRecord<byte[], byte[]> record, long sequence) throws MalformedEventException {
        if (record.value() == null) {
            String userId = codec.decodeTombstoneKey(record.key());
            if (record.timestamp() < 0) {
                throw new MalformedEventException(Rejection.INVALID_TS, "a tombstone needs a record timestamp");
            }
            // a time far ahead would delete the row and then swallow the user's events until that time
            codec.checkTs(record.timestamp(), clock.millis());
            return PresenceChange.delete(userId, record.timestamp(), sequence);
        }
        return PresenceChange.of(codec.decode(record.key(), record.value(), record.timestamp()), sequence);
    }
}

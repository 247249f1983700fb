package io.agentpresence.consumer.fold;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Users filed by the wall-clock time their first device runs out (for a user without devices, the time it is
 * forgotten), so a sweep reads only the users that are due instead of the whole user store. The key is the deadline
 * as 8 big-endian bytes followed by the userId; the store orders keys byte by byte, which for non-negative deadlines
 * is their numeric order.
 */
final class ExpiryIndex {

    private static final byte[] PRESENT = new byte[0];

    /** One filed user. */
    record Entry(long deadline, String userId) {
    }

    private final KeyValueStore<Bytes, byte[]> store;

    ExpiryIndex(KeyValueStore<Bytes, byte[]> store) {
        this.store = store;
    }

    void add(long deadline, String userId) {
        store.put(key(deadline, userId), PRESENT);
    }

    void remove(long deadline, String userId) {
        store.delete(key(deadline, userId));
    }

    /** Up to {@code limit} entries due at or before {@code now}, earliest first; a copy, so the caller may change the index. */
    List<Entry> due(long now, int limit) {
        List<Entry> due = new ArrayList<>();
        // the bare 8-byte prefix of now + 1 sorts after every key due by now and before every key due later
        try (KeyValueIterator<Bytes, byte[]> it = store.range(prefix(0), prefix(now + 1))) {
            while (it.hasNext() && due.size() < limit) {
                KeyValue<Bytes, byte[]> next = it.next();
                ByteBuffer key = ByteBuffer.wrap(next.key.get());
                long deadline = key.getLong();
                due.add(new Entry(deadline, StandardCharsets.UTF_8.decode(key).toString()));
            }
        }
        return due;
    }

    static Bytes key(long deadline, String userId) {
        byte[] user = userId.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(Long.BYTES + user.length).putLong(deadline).put(user).array());
    }

    private static Bytes prefix(long deadline) {
        return Bytes.wrap(ByteBuffer.allocate(Long.BYTES).putLong(deadline).array());
    }
}

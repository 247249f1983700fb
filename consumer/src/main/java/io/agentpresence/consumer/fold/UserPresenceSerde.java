package io.agentpresence.consumer.fold;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The stored form of {@link UserPresence}, in the local store and its changelog topic: a format version byte,
 * then the fields in a fixed order. A record of an unknown version stops the fold rather than lose a user's
 * devices; a later format must keep reading the earlier ones (version 1 had no deletion time and no last activity).
 */
final class UserPresenceSerde implements Serde<UserPresence> {

    static final byte VERSION = 2;
    private static final byte VERSION_WITHOUT_DELETION = 1;

    @Override
    public Serializer<UserPresence> serializer() {
        return (topic, user) -> user == null ? null : write(user);
    }

    @Override
    public Deserializer<UserPresence> deserializer() {
        return (topic, bytes) -> bytes == null ? null : read(bytes);
    }

    static byte[] write(UserPresence user) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeInt(user.devices().size());
            for (Map.Entry<String, DeviceState> e : user.devices().entrySet()) {
                out.writeUTF(e.getKey());
                out.writeUTF(e.getValue().status());
                out.writeLong(e.getValue().lastTs());
                out.writeLong(e.getValue().lastActivity());
            }
            out.writeBoolean(user.emittedStatus() != null);
            if (user.emittedStatus() != null) {
                out.writeUTF(user.emittedStatus());
            }
            out.writeLong(user.emittedTs());
            out.writeLong(user.lastSeenTs());
            out.writeLong(user.deletedTs());
            out.writeLong(user.lastActivity());
            out.writeLong(user.deadline());
        } catch (IOException e) {
            throw new SerializationException("writing to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    static UserPresence read(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte version = in.readByte();
            if (version != VERSION && version != VERSION_WITHOUT_DELETION) {
                throw new SerializationException("stored user state has format version " + version
                        + "; this fold reads version " + VERSION);
            }
            int count = in.readInt();
            SortedMap<String, DeviceState> devices = new TreeMap<>();
            for (int i = 0; i < count; i++) {
                devices.put(in.readUTF(), new DeviceState(in.readUTF(), in.readLong(), in.readLong()));
            }
            String emittedStatus = in.readBoolean() ? in.readUTF() : null;
            long emittedTs = in.readLong();
            long lastSeenTs = in.readLong();
            boolean first = version == VERSION_WITHOUT_DELETION;
            long deletedTs = first ? UserPresence.NONE : in.readLong();
            long lastActivity = first ? UserPresence.NONE : in.readLong();
            return new UserPresence(devices, emittedStatus, emittedTs, lastSeenTs, deletedTs, lastActivity,
                    in.readLong());
        } catch (IOException e) {
            // a short or garbled record: the store is not what this code wrote
            throw new SerializationException("unreadable stored user state (" + bytes.length + " bytes)", e);
        }
    }
}

package io.agentpresence.consumer.order;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The stored form of {@link UserOrder}, in the local store and its changelog topic: a format version byte, then
 * the fields in a fixed order. A record of an unknown version stops the stage rather than forget a user's state.
 */
final class UserOrderSerde implements Serde<UserOrder> {

    static final byte VERSION = 1;

    @Override
    public Serializer<UserOrder> serializer() {
        return (topic, user) -> user == null ? null : write(user);
    }

    @Override
    public Deserializer<UserOrder> deserializer() {
        return (topic, bytes) -> bytes == null ? null : read(bytes);
    }

    static byte[] write(UserOrder user) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            UserOrder.Statement statement = user.statement();
            out.writeBoolean(statement != null);
            if (statement != null) {
                out.writeLong(statement.ts());
                out.writeUTF(statement.status());
                out.writeBoolean(statement.source() != null);
                if (statement.source() != null) {
                    out.writeUTF(statement.source());
                }
            }
            out.writeLong(user.deletedTs());
        } catch (IOException e) {
            throw new SerializationException("writing to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    static UserOrder read(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte version = in.readByte();
            if (version != VERSION) {
                throw new SerializationException("stored user state has format version " + version
                        + "; this order stage reads version " + VERSION);
            }
            UserOrder.Statement statement = null;
            if (in.readBoolean()) {
                long ts = in.readLong();
                String status = in.readUTF();
                String source = in.readBoolean() ? in.readUTF() : null;
                statement = new UserOrder.Statement(ts, status, source);
            }
            return new UserOrder(statement, in.readLong());
        } catch (IOException e) {
            throw new SerializationException("stored user state is cut short or corrupt", e);
        }
    }
}

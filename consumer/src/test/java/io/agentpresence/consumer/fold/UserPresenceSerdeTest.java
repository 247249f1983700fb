package io.agentpresence.consumer.fold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.agentpresence.model.PresenceEventCodec;
import io.agentpresence.model.PresenceStatuses;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.util.Arrays;
import java.util.TreeMap;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class UserPresenceSerdeTest {

    @Test
    void aStoredUserReadsBackAsWritten() {
        TreeMap<String, DeviceState> devices = new TreeMap<>();
        devices.put("laptop", new DeviceState("online", 1_000, 5_000));
        devices.put("téléphone", new DeviceState("offline", 2_000, 6_000));
        UserPresence user = new UserPresence(devices, "online", 1_000, 2_000, 1_500, 7_000, 95_000);

        UserPresence read = UserPresenceSerde.read(UserPresenceSerde.write(user));

        assertThat(read.devices()).isEqualTo(devices);
        assertThat(read.emittedStatus()).isEqualTo("online");
        assertThat(read.emittedTs()).isEqualTo(1_000);
        assertThat(read.lastSeenTs()).isEqualTo(2_000);
        assertThat(read.deletedTs()).isEqualTo(1_500);
        assertThat(read.lastActivity()).isEqualTo(7_000);
        assertThat(read.deadline()).isEqualTo(95_000);
    }

    @Test
    void aUserWithNothingEmittedYetReadsBackSo() {
        UserPresence read = UserPresenceSerde.read(UserPresenceSerde.write(new UserPresence()));

        assertThat(read.devices()).isEmpty();
        assertThat(read.emittedStatus()).isNull();
        assertThat(read.lastSeenTs()).isEqualTo(UserPresence.NONE);
    }

    @Test
    void aUserStoredByTheFirstFormatReadsBackWithoutADeletionOrActivity() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(1);
            out.writeInt(1);
            out.writeUTF("laptop");
            out.writeUTF("online");
            out.writeLong(1_000);
            out.writeLong(5_000);
            out.writeBoolean(true);
            out.writeUTF("online");
            out.writeLong(1_000);
            out.writeLong(2_000);
            out.writeLong(95_000);
        }

        UserPresence read = UserPresenceSerde.read(bytes.toByteArray());

        assertThat(read.devices()).containsExactly(entry("laptop", new DeviceState("online", 1_000, 5_000)));
        assertThat(read.emittedTs()).isEqualTo(1_000);
        assertThat(read.lastSeenTs()).isEqualTo(2_000);
        assertThat(read.deletedTs()).isEqualTo(UserPresence.NONE);
        assertThat(read.lastActivity()).isEqualTo(UserPresence.NONE);
        assertThat(read.deadline()).isEqualTo(95_000);
    }

    @Test
    void aUserWithTheMostDevicesAllowedAndTheLongestNamesStaysFarBelowTheChangelogsRecordLimit() {
        String longestDevice = "\uD83D\uDCBB".repeat(PresenceEventCodec.MAX_DEVICE_LENGTH);
        String longestStatus = "\u20AC".repeat(PresenceStatuses.MAX_LENGTH);
        TreeMap<String, DeviceState> devices = new TreeMap<>();
        for (int i = 0; i < FoldSettings.MAX_DEVICES_LIMIT; i++) {
            devices.put(longestDevice.substring(0, longestDevice.length() - 6) + String.format("%06d", i),
                    new DeviceState(longestStatus, Long.MAX_VALUE, Long.MAX_VALUE));
        }
        UserPresence user = new UserPresence(devices, longestStatus, 1, 1, 1, 1, 1);

        // the default record limit of a topic (max.message.bytes) is 1 MiB
        assertThat(UserPresenceSerde.write(user).length).isLessThan(1024 * 1024);
    }

    @Test
    void anUnknownFormatOrATruncatedRecordIsRefusedNotGuessed() {
        byte[] bytes = UserPresenceSerde.write(new UserPresence());
        byte[] future = bytes.clone();
        future[0] = 3;

        assertThatThrownBy(() -> UserPresenceSerde.read(future)).isInstanceOf(SerializationException.class)
                .hasMessageContaining("format version 3");
        assertThatThrownBy(() -> UserPresenceSerde.read(Arrays.copyOf(bytes, 5)))
                .isInstanceOf(SerializationException.class);
    }
}

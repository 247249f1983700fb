package io.agentpresence.consumer.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentpresence.consumer.sink.PresenceChange;
import io.agentpresence.consumer.sink.PresenceChange.Kind;
import io.agentpresence.model.PresenceEventCodec;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class RecordDecoderTest {

    private final RecordDecoder decoder = new RecordDecoder(new PresenceEventCodec());

    private static ConsumerRecord<byte[], byte[]> record(String key, String value, long timestamp) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        byte[] v = value == null ? null : value.getBytes(StandardCharsets.UTF_8);
        return new ConsumerRecord<>("agent-presence", 0, 7, timestamp, TimestampType.CREATE_TIME, k.length,
                v == null ? -1 : v.length, k, v, new RecordHeaders(), Optional.empty());
    }

    @Test
    void aStatusEventBecomesAStatusChange() throws Exception {
        PresenceChange change = decoder.decode(
                record("u1", "{\"userId\":\"u1\",\"status\":\"busy\",\"ts\":100,\"source\":\"s\"}", 150), 3);

        assertThat(change).isEqualTo(new PresenceChange("u1", "busy", 100, "s", 3));
    }

    @Test
    void aHeartbeatIsNeitherAStatusChangeNorADeletion() throws Exception {
        PresenceChange change = decoder.decode(
                record("u1", "{\"userId\":\"u1\",\"kind\":\"heartbeat\",\"ts\":100,\"device\":\"laptop\"}", 150), 4);

        assertThat(change.kind()).isEqualTo(Kind.HEARTBEAT);
        assertThat(change.isDelete()).isFalse();
        assertThat(change).isEqualTo(PresenceChange.heartbeat("u1", 100, 4));
    }

    @Test
    void aHeartbeatKeepsTheStatusItConfirmsAndItsSource() throws Exception {
        PresenceChange change = decoder.decode(record("u1",
                "{\"userId\":\"u1\",\"kind\":\"heartbeat\",\"status\":\"away\",\"ts\":100,\"source\":\"fold\"}",
                150), 8);

        assertThat(change.kind()).isEqualTo(Kind.HEARTBEAT);
        assertThat(change.confirmsStatus()).isTrue();
        assertThat(change).isEqualTo(PresenceChange.heartbeat("u1", "away", 100, "fold", 8));
    }

    @Test
    void theDeviceOfAStatusEventIsIgnored() throws Exception {
        PresenceChange change = decoder.decode(
                record("u1", "{\"userId\":\"u1\",\"status\":\"away\",\"ts\":100,\"device\":\"phone\"}", 150), 5);

        assertThat(change).isEqualTo(new PresenceChange("u1", "away", 100, null, 5));
    }

    @Test
    void aTombstoneIsADeletionAsOfItsRecordTimestamp() throws Exception {
        assertThat(decoder.decode(record("u1", null, 150), 6)).isEqualTo(PresenceChange.delete("u1", 150, 6));
    }
}

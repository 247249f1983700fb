package io.agentpresence.consumer.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentpresence.consumer.sink.PresenceChange;
import io.agentpresence.consumer.sink.PresenceChange.Kind;
import io.agentpresence.model.MalformedEventException;
import io.agentpresence.model.PresenceEventCodec;
import io.agentpresence.model.PresenceStatuses;
import io.agentpresence.model.Rejection;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class RecordDecoderTest {

    /** The consumer's clock in these tests. */
    private static final long NOW = 1_764_284_615_123L;
    private static final Duration SKEW = Duration.ofMinutes(5);

    private final RecordDecoder decoder = new RecordDecoder(
            new PresenceEventCodec(PresenceStatuses.DEFAULT, SKEW, PresenceEventCodec.DEFAULT_MAX_VALUE_BYTES),
            Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC));

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

    @Test
    void aTombstoneUpToTheAllowedSkewAheadOfTheConsumersClockIsADeletion() throws Exception {
        long ahead = NOW + SKEW.toMillis();

        assertThat(decoder.decode(record("u1", null, ahead), 6)).isEqualTo(PresenceChange.delete("u1", ahead, 6));
    }

    @Test
    void aTombstoneStampedFurtherAheadOfTheConsumersClockIsRejectedAsInTheFuture() {
        long ahead = NOW + Duration.ofMinutes(30).toMillis();

        assertThatThrownBy(() -> decoder.decode(record("u1", null, ahead), 6))
                .isInstanceOfSatisfying(MalformedEventException.class,
                        e -> assertThat(e.rejection()).isEqualTo(Rejection.TS_IN_FUTURE));
    }

    @Test
    void aTombstoneStampedBeyondTheLastEncodableTimeIsRejectedWhateverTheClock() {
        RecordDecoder farFuture = new RecordDecoder(new PresenceEventCodec(),
                Clock.fixed(Instant.ofEpochMilli(Long.MAX_VALUE / 2), ZoneOffset.UTC));

        assertThatThrownBy(() -> farFuture.decode(record("u1", null, PresenceEventCodec.MAX_TS + 1), 6))
                .isInstanceOfSatisfying(MalformedEventException.class,
                        e -> assertThat(e.rejection()).isEqualTo(Rejection.INVALID_TS));
    }
}

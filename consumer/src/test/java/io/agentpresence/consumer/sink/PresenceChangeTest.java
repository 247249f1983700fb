package io.agentpresence.consumer.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentpresence.consumer.sink.PresenceChange.Kind;
import io.agentpresence.model.PresenceEvent;
import org.junit.jupiter.api.Test;

class PresenceChangeTest {

    @Test
    void aStatusChangeNeedsAStatusADeletionHasNoneAndAHeartbeatMayCarryOne() {
        assertThatThrownBy(() -> new PresenceChange(Kind.STATUS, "u1", null, 100, null, 0, PresenceChange.STATEMENT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a status");
        assertThatThrownBy(() -> new PresenceChange(Kind.DELETE, "u1", "online", 100, null, 0, PresenceChange.DELETION))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("carries no status");

        assertThat(PresenceChange.heartbeat("u1", "online", 100, "fold", 0).confirmsStatus()).isTrue();
        assertThat(PresenceChange.heartbeat("u1", 100, 0).confirmsStatus()).isFalse();
        assertThat(new PresenceChange("u1", "online", 100, "fold", 0).confirmsStatus()).isFalse();
    }

    @Test
    void aHeartbeatEventKeepsTheStatusItConfirmsAndItsSource() {
        PresenceChange change = PresenceChange.of(PresenceEvent.heartbeat("u1", "away", 100, "fold"), 3);

        assertThat(change).isEqualTo(new PresenceChange(Kind.HEARTBEAT, "u1", "away", 100, "fold", 3, PresenceChange.STATEMENT));
        assertThat(PresenceChange.of(PresenceEvent.heartbeat("u1", 100, null, "phone"), 4))
                .isEqualTo(PresenceChange.heartbeat("u1", 100, 4));
    }
}

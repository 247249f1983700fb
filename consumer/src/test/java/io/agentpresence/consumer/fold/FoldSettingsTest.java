package io.agentpresence.consumer.fold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentpresence.consumer.config.ConfigException;
import io.agentpresence.consumer.config.PresenceConsumerConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FoldSettingsTest {

    private static PresenceConsumerConfig config(String statuses, String precedence) {
        Map<String, String> m = new HashMap<>();
        m.put("bootstrap.servers", "127.0.0.1:9092");
        m.put("db.url", "jdbc:mysql://127.0.0.1:3306/presence");
        m.put("statuses", statuses);
        m.put("fold.precedence", precedence);
        return PresenceConsumerConfig.fromMap(m);
    }

    @Test
    void aPrecedenceOfAcceptedStatusesFolds() {
        FoldSettings settings = FoldSettings.from(config("online,away,busy,offline,dnd", "dnd,online"));

        assertThat(settings.precedence().order()).containsExactly("dnd", "online");
        assertThat(settings.deviceTopic()).isEqualTo("agent-presence.devices");
        assertThat(settings.presenceTopic()).isEqualTo("agent-presence");
    }

    @Test
    void aStatusInThePrecedenceThatIsNotAcceptedStopsTheFoldButNotTheConsumer() {
        PresenceConsumerConfig c = config("online,away,offline", "online,busy,away");

        assertThatThrownBy(() -> FoldSettings.from(c)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("PRESENCE_FOLD_PRECEDENCE (fold.precedence): 'busy' is not one of the accepted"
                        + " statuses");
    }

    @Test
    void statusesWithoutOfflineCannotBeFolded() {
        PresenceConsumerConfig c = config("online,away", "online,away");

        assertThatThrownBy(() -> FoldSettings.from(c)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("PRESENCE_STATUSES (statuses): 'offline' must be an accepted status");
    }

    @Test
    void theBestLiveStatusWinsAndUnlistedOnesRankBelowByName() {
        Precedence p = new Precedence(List.of("online", "busy", "away"));

        assertThat(p.fold(List.of("away", "busy"))).isEqualTo("busy");
        assertThat(p.fold(List.of("zzz", "away", "dnd"))).isEqualTo("away");
        assertThat(p.fold(List.of("zzz", "dnd"))).isEqualTo("dnd");
        assertThat(p.fold(List.of())).isEqualTo("offline");
    }
}

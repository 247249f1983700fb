package io.agentpresence.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.agentpresence.model.PresenceEvent;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** Heartbeats and events with a device go to the device topic; any other event stays on the presence topic. */
class DeviceRoutingTest {

    private static final long TS = 1_764_284_615_123L;

    private static SetCommand parse(String... args) {
        SetCommand set = new SetCommand();
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "agent-1";
        all[args.length + 1] = "online";
        new CommandLine(set).parseArgs(all);
        return set;
    }

    @Test
    void aStatusWithoutADeviceGoesToThePresenceTopic() {
        SetCommand set = parse("--topic=users", "--device-topic=devices");

        assertThat(set.routing.topicFor(new PresenceEvent("agent-1", "online", TS, null), set.kafka)).isEqualTo("users");
    }

    @Test
    void aStatusWithADeviceGoesToTheDeviceTopic() {
        SetCommand set = parse("--topic=users", "--device-topic=devices");
        PresenceEvent event = new PresenceEvent("agent-1", "online", TS, null).withDevice("laptop");

        assertThat(set.routing.topicFor(event, set.kafka)).isEqualTo("devices");
    }

    @Test
    void aHeartbeatGoesToTheDeviceTopicWithOrWithoutADevice() {
        SetCommand set = parse("--topic=users", "--device-topic=devices");

        assertThat(set.routing.topicFor(PresenceEvent.heartbeat("agent-1", TS, null, "phone"), set.kafka))
                .isEqualTo("devices");
        assertThat(set.routing.topicFor(PresenceEvent.heartbeat("agent-1", TS, null, null), set.kafka))
                .isEqualTo("devices");
    }

    @Test
    void theDeviceTopicDefaultsToTheFoldsInputWhenTheEnvironmentSaysNothing() {
        assumeTrue(System.getenv("PRESENCE_DEVICE_TOPIC") == null);

        assertThat(parse().routing.deviceTopic()).isEqualTo("agent-presence.devices");
    }

    @Test
    void theDeviceTopicDefaultIsReadFromPresenceDeviceTopic() throws Exception {
        Option option = DeviceRouting.class.getDeclaredField("deviceTopic").getAnnotation(Option.class);

        assertThat(option.defaultValue()).isEqualTo("${env:PRESENCE_DEVICE_TOPIC:-agent-presence.devices}");
    }

    @Test
    void theSentLineNamesTheDeviceOnlyWhenThereIsOne() {
        assertThat(DeviceRouting.deviceNote(PresenceEvent.heartbeat("agent-1", TS, null, "phone"))).isEqualTo(" (device phone)");
        assertThat(DeviceRouting.deviceNote(PresenceEvent.heartbeat("agent-1", TS, null, null))).isEmpty();
    }
}

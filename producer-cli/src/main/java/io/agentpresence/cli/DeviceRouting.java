package io.agentpresence.cli;

import io.agentpresence.model.PresenceEvent;
import io.agentpresence.model.PresenceTopics;
import picocli.CommandLine.Option;

/**
 * {@code --device-topic} and the one rule that picks an event's topic: a heartbeat, or an event that names its
 * device, goes to the device-level topic the fold reads; any other event goes to {@code --topic}.
 */
public final class DeviceRouting {

    @Option(names = "--device-topic", paramLabel = "TOPIC",
            defaultValue = "${env:PRESENCE_DEVICE_TOPIC:-" + PresenceTopics.DEFAULT_DEVICE_TOPIC + "}",
            description = {"Device-level topic the fold reads; heartbeats and events with a device go there"
                    + " (env PRESENCE_DEVICE_TOPIC). Default: ${DEFAULT-VALUE}"})
    String deviceTopic;

    public String deviceTopic() {
        return deviceTopic;
    }

    /** Where {@code event} goes: the device topic for a heartbeat or an event with a device, else {@code --topic}. */
    public String topicFor(PresenceEvent event, KafkaOptions kafka) {
        return event.isHeartbeat() || event.device() != null ? deviceTopic : kafka.topic();
    }

    /** {@code " (device D)"} for an event with a device, else nothing: the tail of a "sent ..." line. */
    static String deviceNote(PresenceEvent event) {
        return event.device() == null ? "" : " (device " + event.device() + ")";
    }
}

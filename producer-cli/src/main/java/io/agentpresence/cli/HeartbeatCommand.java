package io.agentpresence.cli;

import io.agentpresence.model.PresenceEvent;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code presence heartbeat <userId> [--device D] [--status S]}: publishes one heartbeat ("still here", no status
 * change) to the device-level topic, so the fold keeps that device of the user alive, and prints where it landed.
 */
@Command(name = "heartbeat", sortOptions = false,
        description = {"Publish a heartbeat: <userId>'s device is still there; no status change.",
                "A heartbeat always goes to --device-topic, for the fold. Without --device it",
                "is the heartbeat of the user's implicit device. For a user-level heartbeat,",
                "set --device-topic to the presence topic, and give its --status: on the compacted",
                "presence topic a heartbeat can outlive the status before it."})
public final class HeartbeatCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DeviceRouting routing;

    @Mixin
    EventStamp stamp;

    @Parameters(index = "0", paramLabel = "<userId>", description = "The agent's user id (also the record key).")
    String userId;

    @Option(names = "--device", paramLabel = "DEVICE",
            description = "The user's device or connection that is still there (1-64 characters). Default: none,"
                    + " the implicit device.")
    String device;

    @Option(names = "--status", paramLabel = "STATUS",
            description = "The status the heartbeat confirms (it changes none). Default: none.")
    String status;

    /** Last, so that help lists the subcommand's own options first. */
    @Mixin
    KafkaOptions kafka;

    @Override
    public Integer call() throws PublishFailedException {
        return PublishSession.publishOne(spec.commandLine(), kafka, routing,
                now -> new PresenceEvent(PresenceEvent.Kind.HEARTBEAT, userId, status, stamp.ts(now), stamp.source(),
                        device),
                "heartbeat for " + userId);
    }
}

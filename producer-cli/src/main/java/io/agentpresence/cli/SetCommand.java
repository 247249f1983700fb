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
 * {@code presence set <userId> <status> [--device D]}: publishes one presence update and prints where it landed.
 * Without a device it goes to the presence topic; with one, to the device-level topic the fold reads.
 */
@Command(name = "set", sortOptions = false,
        description = {"Publish one presence update: <userId> is now <status>.",
                "Without --device it goes to --topic; with --device, to --device-topic,",
                "where the fold combines it with the user's other devices."})
public final class SetCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DeviceRouting routing;

    @Mixin
    EventStamp stamp;

    @Parameters(index = "0", paramLabel = "<userId>", description = "The agent's user id (also the record key).")
    String userId;

    @Parameters(index = "1", paramLabel = "<status>", description = "The new status, one of --statuses.")
    String status;

    @Option(names = "--device", paramLabel = "DEVICE",
            description = "The user's device or connection that says it (1-64 characters); sends to --device-topic.")
    String device;

    /** Last, so that help lists the subcommand's own options first. */
    @Mixin
    KafkaOptions kafka;

    @Override
    public Integer call() throws PublishFailedException {
        return PublishSession.publishOne(spec.commandLine(), kafka, routing,
                now -> new PresenceEvent(userId, status, stamp.ts(now), stamp.source()).withDevice(device),
                userId + "=" + status);
    }
}

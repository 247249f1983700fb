package io.agentpresence.cli;

import io.agentpresence.model.MalformedEventException;
import io.agentpresence.model.PresenceEventCodec;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.RecordMetadata;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code presence delete <userId>}: publishes a tombstone (null value), so the consumer deletes the user's row
 * and compaction eventually forgets the user.
 */
@Command(name = "delete", sortOptions = false,
        description = "Publish a tombstone for <userId>: its presence row is deleted.")
public final class DeleteCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "<userId>", description = "The agent's user id (the record key).")
    String userId;

    /** Last, so that help lists the subcommand's own options first. */
    @Mixin
    KafkaOptions kafka;

    @Override
    public Integer call() throws PublishFailedException {
        try {
            // validate before connecting, so a bad id fails fast even when no broker is around
            kafka.codec().decodeTombstoneKey(PresenceEventCodec.key(userId));
            RecordMetadata sent;
            try (PublishSession session = PublishSession.open(kafka, spec.commandLine(), Set.of(kafka.topic()))) {
                sent = session.await(session.sendTombstone(userId));
            }
            spec.commandLine().getOut().printf("sent tombstone for %s to %s partition %d offset %d%n",
                    userId, sent.topic(), sent.partition(), sent.offset());
            return PresenceCli.EXIT_OK;
        } catch (MalformedEventException e) {
            // the user id breaks the contract: the user's input is wrong, not the broker
            spec.commandLine().getErr().println("presence: invalid user id: " + e.getMessage());
            return PresenceCli.EXIT_INVALID;
        }
    }
}

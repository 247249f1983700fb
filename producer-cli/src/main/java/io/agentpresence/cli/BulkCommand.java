package io.agentpresence.cli;

import io.agentpresence.model.MalformedEventException;
import io.agentpresence.model.PresenceEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.RecordMetadata;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code presence bulk <file|->}: publishes one v1.1 JSON event per line, keyed by each event's userId, each to
 * the topic {@link DeviceRouting} picks for it. All lines are validated first; a single bad line means nothing
 * is published, so a script never half-applies a file.
 */
@Command(name = "bulk", sortOptions = false,
        description = {"Publish events from a file or stdin (-), one JSON event per line.",
                "Each line is one v1.1 event, keyed by its userId, e.g.",
                "  {\"userId\":\"agent-42\",\"status\":\"online\",\"ts\":1764284615123}",
                "  {\"userId\":\"agent-42\",\"kind\":\"heartbeat\",\"device\":\"laptop\"}",
                "A heartbeat or an event with a \"device\" goes to --device-topic,",
                "any other event to --topic.",
                "All lines are validated first; if any is invalid, nothing is published."})
public final class BulkCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ParentCommand
    PresenceCli parent;

    @Mixin
    DeviceRouting routing;

    @Parameters(index = "0", paramLabel = "<file|->", description = "File of events, or - to read stdin.")
    String file;

    /** Last, so that help lists the subcommand's own options first. */
    @Mixin
    KafkaOptions kafka;

    @Override
    public Integer call() throws PublishFailedException {
        PrintWriter err = spec.commandLine().getErr();
        BulkInput.Result input;
        try {
            input = read();
        } catch (NoSuchFileException e) {
            // a wrong path is bad usage, like a wrong option
            err.println("presence: cannot read " + file + ": no such file");
            return PresenceCli.EXIT_INVALID;
        } catch (IOException e) {
            // unreadable input is the caller's to fix, and nothing was sent yet
            err.println("presence: cannot read " + file + ": " + PublishSession.describe(e));
            return PresenceCli.EXIT_INVALID;
        }
        if (!input.problems().isEmpty()) {
            input.problems().forEach(err::println);
            err.printf("presence: %d invalid line(s); nothing was published%n", input.problems().size());
            return PresenceCli.EXIT_INVALID;
        }
        if (!input.events().isEmpty()) {
            publish(input.events());
        }
        spec.commandLine().getOut().println(summary(input.events()));
        return PresenceCli.EXIT_OK;
    }

    /** {@code published N events to T} when one topic got them all, else how many went to each topic. */
    private String summary(List<PresenceEvent> events) {
        Map<String, Integer> perTopic = new LinkedHashMap<>();
        // the presence topic first, whatever the order of the lines
        perTopic.put(kafka.topic(), 0);
        perTopic.put(routing.deviceTopic(), 0);
        events.forEach(event -> perTopic.merge(routing.topicFor(event, kafka), 1, Integer::sum));
        perTopic.values().removeIf(count -> count == 0);
        if (perTopic.size() <= 1) {
            String topic = perTopic.isEmpty() ? kafka.topic() : perTopic.keySet().iterator().next();
            return "published " + events.size() + " events to " + topic;
        }
        return "published " + events.size() + " events: " + perTopic.entrySet().stream()
                .map(entry -> entry.getValue() + " to " + entry.getKey()).collect(Collectors.joining(", "));
    }

    private BulkInput.Result read() throws IOException {
        long now = System.currentTimeMillis();
        if ("-".equals(file)) {
            // stdin belongs to the process; leave it open
            return BulkInput.read(parent.stdin(), kafka.codec(), now);
        }
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            return BulkInput.read(in, kafka.codec(), now);
        }
    }

    private void publish(List<PresenceEvent> events) throws PublishFailedException {
        int total = events.size();
        AtomicInteger acknowledged = new AtomicInteger();
        AtomicReference<Throwable> firstFailure = new AtomicReference<>();
        Progress progress = new Progress(spec.commandLine().getErr(), total, System::nanoTime);
        List<CompletableFuture<RecordMetadata>> sent = new ArrayList<>(total);
        Set<String> destinations = events.stream().map(event -> routing.topicFor(event, kafka))
                .collect(Collectors.toCollection(LinkedHashSet::new));
        try (PublishSession session = PublishSession.open(kafka, spec.commandLine(), destinations)) {
            for (PresenceEvent event : events) {
                // once one send failed (e.g. no broker), each further send could block for --timeout again
                if (firstFailure.get() != null) {
                    break;
                }
                CompletableFuture<RecordMetadata> future = session.send(routing.topicFor(event, kafka), event);
                future.whenComplete((metadata, error) -> {
                    if (error == null) {
                        acknowledged.incrementAndGet();
                    } else {
                        firstFailure.compareAndSet(null, error);
                    }
                });
                sent.add(future);
                if (firstFailure.get() == null) {
                    progress.update(acknowledged.get());
                }
            }
            for (CompletableFuture<RecordMetadata> future : sent) {
                session.await(future);
                progress.update(acknowledged.get());
            }
        } catch (PublishFailedException e) {
            // a partial bulk is worth knowing about: say how far it got
            throw new PublishFailedException(e.getMessage() + " [" + acknowledged.get() + " of " + total
                    + " events were acknowledged]", e.getCause());
        } catch (MalformedEventException e) {
            // every event passed the same codec moments ago, so only a bug gets here
            throw new IllegalStateException("an event validated before sending was rejected: " + e.getMessage(), e);
        }
    }
}

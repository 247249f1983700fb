package io.agentpresence.cli;

import io.agentpresence.model.MalformedEventException;
import io.agentpresence.model.PresenceEvent;
import io.agentpresence.model.PresencePublisher;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongFunction;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;

/**
 * One producer for one command run: sends events, waits for acknowledgements no longer than {@code --timeout}
 * allows, and turns every broker failure into a one-line {@link PublishFailedException}. Closing never hangs.
 */
final class PublishSession implements AutoCloseable {

    /** Slack on top of Kafka's own bounds, so the producer reports its timeout before we give up on it. */
    private static final Duration GRACE = Duration.ofSeconds(1);
    private static final String NO_BROKER_HINT = "is a broker running and reachable there?";

    private final KafkaOptions options;
    private final PresencePublisher publisher;
    private final Duration waitBound;
    /** The topics sent to so far, for the failure message; touched only by the command's thread. */
    private final Set<String> topics = new LinkedHashSet<>();
    private volatile boolean failed;

    private PublishSession(KafkaOptions options, PresencePublisher publisher) {
        this.options = options;
        this.publisher = publisher;
        this.waitBound = options.sendBound().plus(GRACE);
    }

    /**
     * What {@code set} and {@code heartbeat} do: validates one event (before connecting, so a typo fails fast even
     * when no broker is around), then, once the producer is up and knows the topic, makes it again with the time of
     * sending, so a default {@code ts} is when the event leaves; sends it to the topic {@code routing} picks, and
     * prints where it landed after {@code said}. Returns the exit code; broker failures are thrown.
     */
    static int publishOne(CommandLine cmd, KafkaOptions kafka, DeviceRouting routing, LongFunction<PresenceEvent> eventAt,
                          String said) throws PublishFailedException {
        try {
            long now = System.currentTimeMillis();
            PresenceEvent checked = eventAt.apply(now);
            kafka.codec().validate(checked, now);
            String topic = routing.topicFor(checked, kafka);
            RecordMetadata sent;
            try (PublishSession session = open(kafka, cmd, Set.of(topic))) {
                session.awaitTopic(topic);
                sent = session.await(session.send(topic, eventAt.apply(System.currentTimeMillis())));
            }
            cmd.getOut().printf("sent %s%s to %s partition %d offset %d%n", said, DeviceRouting.deviceNote(checked),
                    sent.topic(), sent.partition(), sent.offset());
            return PresenceCli.EXIT_OK;
        } catch (MalformedEventException e) {
            // the event breaks the contract: the user's input is wrong, not the broker
            cmd.getErr().println("presence: invalid event: " + e.getMessage());
            return PresenceCli.EXIT_INVALID;
        }
    }

    /**
     * Creates the producer, then checks that something listens at the bootstrap servers, so that no broker at all
     * is said within seconds; {@code destinations} (the topics about to be sent to) only name them in a failure.
     * A bad {@code -X} setting is a usage error (exit 2), anything else exit 1.
     */
    static PublishSession open(KafkaOptions options, CommandLine commandLine, Set<String> destinations)
            throws PublishFailedException {
        PresencePublisher publisher;
        try {
            // heartbeat has no --topic: its publisher's own topic is the one it sends to
            String ownTopic = options.topic() != null ? options.topic() : destinations.iterator().next();
            publisher = new PresencePublisher(options.producerConfig(), ownTopic, options.codec());
        } catch (KafkaException e) {
            ConfigException config = configProblem(e);
            // Kafka reports a bootstrap host DNS cannot resolve as a config error, but it is an unreachable broker
            if (config != null && !String.valueOf(config.getMessage()).startsWith("No resolvable bootstrap urls")) {
                // the settings came from the command line, so this is bad usage rather than a broker problem
                throw new CommandLine.ParameterException(commandLine, "invalid producer setting: " + config.getMessage());
            }
            throw new PublishFailedException("could not create a Kafka producer for " + options.bootstrapServers()
                    + ": " + describe(e), e);
        }
        Optional<String> noBroker = BrokerProbe.noBrokerAnswers(options.bootstrapServers(), options.timeout());
        if (noBroker.isPresent()) {
            // nothing was sent, so nothing is lost by not waiting
            publisher.close(Duration.ZERO);
            throw new PublishFailedException("could not publish to " + topicNames(destinations, options) + " at "
                    + options.bootstrapServers() + ": " + noBroker.get() + "; " + NO_BROKER_HINT, null);
        }
        return new PublishSession(options, publisher);
    }

    /** Waits until the producer knows {@code topic}, as a send would; Kafka bounds it by {@code max.block.ms}. */
    void awaitTopic(String topic) throws PublishFailedException {
        topics.add(topic);
        try {
            publisher.awaitTopic(topic);
        } catch (KafkaException e) {
            // no metadata within the timeout, or the producer failed: what the send would have reported
            throw failure(e);
        }
    }

    CompletableFuture<RecordMetadata> send(String topic, PresenceEvent event)
            throws MalformedEventException, PublishFailedException {
        topics.add(topic);
        try {
            return publisher.publish(topic, event);
        } catch (KafkaException e) {
            // thrown synchronously, e.g. when the producer is already failed: the send never started
            throw failure(e);
        }
    }

    CompletableFuture<RecordMetadata> sendTombstone(String userId) throws MalformedEventException, PublishFailedException {
        topics.add(options.topic());
        try {
            return publisher.delete(userId);
        } catch (KafkaException e) {
            // thrown synchronously, e.g. when the producer is already failed: the send never started
            throw failure(e);
        }
    }

    /** Waits for one acknowledgement; Kafka bounds the send by its timeouts, this bounds the wait regardless. */
    RecordMetadata await(CompletableFuture<RecordMetadata> future) throws PublishFailedException {
        try {
            return future.get(waitBound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            // the producer gave up on this record: unreachable broker, timeout, authorization, ...
            throw failure(e.getCause());
        } catch (TimeoutException e) {
            // the producer outlived its own timeouts; stop waiting rather than hang the caller
            throw failure(new TimeoutException("no acknowledgement within " + DurationConverter.format(waitBound)));
        } catch (InterruptedException e) {
            // someone wants us gone (Ctrl-C); keep the flag for whoever runs next
            Thread.currentThread().interrupt();
            throw failure(e);
        }
    }

    @Override
    public void close() {
        // after a failure the buffered records can only fail too, so drop them instead of waiting
        publisher.close(failed ? Duration.ZERO : options.timeout());
    }

    private PublishFailedException failure(Throwable cause) {
        failed = true;
        String hint = isTimeout(cause) ? " (--timeout " + DurationConverter.format(options.timeout())
                + "); " + NO_BROKER_HINT : "";
        return new PublishFailedException("could not publish to " + topicNames(topics, options) + " at "
                + options.bootstrapServers() + ": " + describe(cause) + hint, cause);
    }

    private static String topicNames(Set<String> topics, KafkaOptions options) {
        Set<String> names = topics.isEmpty() ? Set.of(String.valueOf(options.topic())) : topics;
        String quoted = String.join("', '", names);
        return (names.size() == 1 ? "topic '" : "topics '") + quoted + "'";
    }

    private static boolean isTimeout(Throwable e) {
        return e instanceof org.apache.kafka.common.errors.TimeoutException || e instanceof TimeoutException;
    }

    private static ConfigException configProblem(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConfigException config) {
                return config;
            }
        }
        return null;
    }

    /** The innermost message, on one line: Kafka wraps the useful part ("Failed to construct ..."). */
    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        // one line, and no closing period, since callers append to it
        String oneLine = message.replaceAll("\\s*\\R\\s*", " ").strip().replaceAll("\\.$", "");
        // a timeout's message says what timed out; for anything else the exception's name is the news
        return isTimeout(root) ? oneLine : root.getClass().getSimpleName() + ": " + oneLine;
    }
}

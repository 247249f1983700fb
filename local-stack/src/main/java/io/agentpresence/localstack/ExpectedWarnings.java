package io.agentpresence.localstack;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.List;

/**
 * Drops the libraries' warnings that the local stack gives at every start or stop and that ask nothing of anyone,
 * so a warning on its console is worth reading; every other warning, from the same loggers too, passes.
 */
public final class ExpectedWarnings extends Filter<ILoggingEvent> {

    /** A logger and the start of its message; each is expected and harmless in the local stack. */
    record Expected(String logger, String messageStart) {
    }

    static final List<Expected> EXPECTED = List.of(
            // Streams checks this for global stores; the fold has none, and its own setting enables the handler
            new Expected("org.apache.kafka.streams.StreamsConfig",
                    "Processing exception handler is not enabled for the GlobalThread"),
            // the in-process broker's controller channel is closed twice when the broker stops
            new Expected("org.apache.kafka.clients.NetworkClient",
                    "Attempting to close NetworkClient that has already been closed"),
            // the in-process controller becomes active at every start (on a new broker: "The metadata log appears
            // to be empty"); a single-node cluster has no other outcome
            new Expected("org.apache.kafka.controller.QuorumController", "Performing controller activation."));

    @Override
    public FilterReply decide(ILoggingEvent event) {
        if (event.getLevel() != Level.WARN) {
            return FilterReply.NEUTRAL;
        }
        String message = event.getFormattedMessage();
        for (Expected expected : EXPECTED) {
            if (expected.logger().equals(event.getLoggerName()) && message != null
                    && message.contains(expected.messageStart())) {
                return FilterReply.DENY;
            }
        }
        return FilterReply.NEUTRAL;
    }
}

package io.agentpresence.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.spi.FilterReply;
import org.junit.jupiter.api.Test;

/** The stack's console drops the warnings expected at every start and stop, and no other. */
class ExpectedWarningsTest {

    private final ExpectedWarnings filter = new ExpectedWarnings();

    @Test
    void theStreamsGlobalThreadNoticeTheControllerActivationAndTheDoubleCloseAtShutdownAreDropped() {
        assertThat(filter.decide(warn("org.apache.kafka.streams.StreamsConfig",
                "Processing exception handler is not enabled for the GlobalThread. It's recommended ...")))
                .isEqualTo(FilterReply.DENY);
        assertThat(filter.decide(warn("org.apache.kafka.clients.NetworkClient", "[NodeToControllerChannelManager id=1"
                + " name=registration] Attempting to close NetworkClient that has already been closed.")))
                .isEqualTo(FilterReply.DENY);
        assertThat(filter.decide(warn("org.apache.kafka.controller.QuorumController",
                "[QuorumController id=1] Performing controller activation."))).isEqualTo(FilterReply.DENY);
    }

    @Test
    void otherWarningsOfTheSameLoggersPass() {
        assertThat(filter.decide(warn("org.apache.kafka.clients.NetworkClient",
                "[Consumer clientId=c] Connection to node 1 (/127.0.0.1:9092) could not be established.")))
                .isEqualTo(FilterReply.NEUTRAL);
        assertThat(filter.decide(warn("org.apache.kafka.streams.StreamsConfig", "some other setting is odd")))
                .isEqualTo(FilterReply.NEUTRAL);
    }

    private static LoggingEvent warn(String logger, String message) {
        LoggerContext context = new LoggerContext();
        return new LoggingEvent(ExpectedWarningsTest.class.getName(), context.getLogger(logger), Level.WARN, message,
                null, null);
    }
}

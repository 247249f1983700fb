package io.agentpresence.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Without a broker the CLI exits 1 within about --timeout, with one clear line and no stack trace. */
class UnreachableBrokerIT {

    /** Port 1 on loopback: nothing listens, so connections are refused at once and metadata never arrives. */
    private static final String NO_BROKER = "--bootstrap-servers=127.0.0.1:1";
    private static final long WITHIN_MILLIS = 6_000;

    @Test
    void setExitsOneWithinTheTimeoutWithOneClearLine() {
        CliRun run = CliRun.run("set", NO_BROKER, "--timeout=2s", "agent-1", "online");

        assertThat(run.exitCode()).isEqualTo(PresenceCli.EXIT_FAILED);
        assertThat(run.millis()).isLessThan(WITHIN_MILLIS);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines().toList()).singleElement().asString()
                .startsWith("presence: could not publish to topic 'agent-presence' at 127.0.0.1:1: ")
                .contains("is a broker running and reachable there?");
    }

    @Test
    void whenNoBrokerAnswersAtAllItSaysSoWithinSecondsNotAfterTheTimeout() {
        CliRun run = CliRun.run("set", NO_BROKER, "--timeout=60s", "agent-1", "online");

        assertThat(run.exitCode()).isEqualTo(PresenceCli.EXIT_FAILED);
        assertThat(run.millis()).isLessThan(WITHIN_MILLIS);
        assertThat(run.err().lines().toList()).singleElement().asString()
                .startsWith("presence: could not publish to topic 'agent-presence' at 127.0.0.1:1: no broker answers")
                .contains("is a broker running and reachable there?");
    }

    @Test
    void deleteExitsOneWithinTheTimeout() {
        CliRun run = CliRun.run("delete", NO_BROKER, "--timeout=1s", "agent-1");

        assertThat(run.exitCode()).isEqualTo(PresenceCli.EXIT_FAILED);
        assertThat(run.millis()).isLessThan(WITHIN_MILLIS);
        assertThat(run.err()).startsWith("presence: could not publish").doesNotContain("\tat ");
    }

    @Test
    void heartbeatExitsOneWithinTheTimeoutNamingTheDeviceTopic() {
        CliRun run = CliRun.run("heartbeat", NO_BROKER, "--timeout=1s", "--device-topic=devices-t", "--device=laptop",
                "agent-1");

        assertThat(run.exitCode()).isEqualTo(PresenceCli.EXIT_FAILED);
        assertThat(run.millis()).isLessThan(WITHIN_MILLIS);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines().toList()).singleElement().asString()
                .startsWith("presence: could not publish to topic 'devices-t' at 127.0.0.1:1: ");
    }

    @Test
    void bulkGivesUpAfterTheFirstFailedSendInsteadOfWaitingOncePerLine() {
        String lines = IntStream.range(0, 50)
                .mapToObj(i -> "{\"userId\":\"agent-" + i + "\",\"status\":\"online\"}")
                .collect(Collectors.joining("\n"));

        CliRun run = CliRun.withStdin(lines, "bulk", NO_BROKER, "--timeout=1s", "-");

        assertThat(run.exitCode()).isEqualTo(PresenceCli.EXIT_FAILED);
        assertThat(run.millis()).isLessThan(WITHIN_MILLIS);
        assertThat(run.err().lines().toList()).singleElement().asString()
                .startsWith("presence: could not publish").endsWith("[0 of 50 events were acknowledged]");
    }

    @Test
    void aBrokerHostThatDoesNotResolveExitsOneNotTwo() {
        CliRun run = CliRun.run("set", "--bootstrap-servers=no-such-broker.invalid:9092", "--timeout=1s",
                "agent-1", "online");

        assertThat(run.exitCode()).isEqualTo(PresenceCli.EXIT_FAILED);
        assertThat(run.millis()).isLessThan(WITHIN_MILLIS);
        assertThat(run.err()).startsWith("presence: could not create a Kafka producer for no-such-broker.invalid:9092")
                .contains("No resolvable bootstrap urls");
    }

    @Test
    void verboseAddsTheStackTrace() {
        CliRun run = CliRun.run("set", NO_BROKER, "--timeout=1s", "--verbose", "agent-1", "online");

        assertThat(run.exitCode()).isEqualTo(PresenceCli.EXIT_FAILED);
        assertThat(run.err()).startsWith("presence: could not publish").contains("\tat ");
    }
}

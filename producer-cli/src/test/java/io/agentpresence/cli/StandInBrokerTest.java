package io.agentpresence.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The start-up caches are only as good as the round trip {@link ClassDataWorkload} runs: were the stand-in to stop
 * answering (a newer client asking something it does not know), the caches would quietly lose the response path.
 */
class StandInBrokerTest {

    @Test
    void aSetGetsItsAcknowledgementFromTheStandIn() throws Exception {
        try (StandInBroker broker = new StandInBroker()) {
            CliRun run = CliRun.run("set", "--bootstrap-servers=" + broker.bootstrapServers(), "--timeout=10s",
                    "agent-42", "online");

            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.out()).isEqualTo("sent agent-42=online to agent-presence partition 0 offset 0\n");
        }
    }
}

package io.agentpresence.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Usage errors and invalid events are rejected with exit code 2 before any broker is contacted. */
class PresenceCliTest {

    /** No broker listens here; a test that reached it would fail with exit code 1, not 2. */
    private static final String NO_BROKER = "--bootstrap-servers=127.0.0.1:1";

    @Test
    void helpListsTheSubcommandsAndExitsZero() {
        CliRun run = CliRun.run("--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("set", "heartbeat", "delete", "bulk", "Exit codes");
    }

    @Test
    void subcommandHelpShowsTheSharedKafkaOptions() {
        CliRun run = CliRun.run("set", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("--bootstrap-servers", "--topic", "--timeout", "--statuses", "-X", "--ts", "--source");
    }

    @Test
    void subcommandHelpListsItsOwnOptionsBeforeTheSharedOnes() {
        String help = CliRun.run("set", "--help").out();

        assertThat(help.indexOf("--device=")).isPositive().isLessThan(help.indexOf("--bootstrap-servers"));
        assertThat(help.indexOf("--ts=")).isPositive().isLessThan(help.indexOf("--bootstrap-servers"));
    }

    @Test
    void optionsThatWouldDoNothingAreNotOffered() {
        assertThat(CliRun.run("delete", "--help").out()).doesNotContain("--statuses");
        assertThat(CliRun.run("heartbeat", "--help").out()).doesNotContain("--topic ", "--topic=");
        CliRun run = CliRun.run("delete", NO_BROKER, "--statuses=a,b", "agent-1");
        assertThat(run.exitCode()).isEqualTo(PresenceCli.EXIT_INVALID);
        assertThat(run.err()).contains("Unknown option: '--statuses=a,b'");
    }

    @Test
    void aUsageErrorShowsAShortUsageLineNotTheWholeHelp() {
        CliRun run = CliRun.run("set", "agent-1");

        assertThat(run.exitCode()).isEqualTo(PresenceCli.EXIT_INVALID);
        assertThat(run.err().lines().toList()).containsExactly("Missing required parameter: '<status>'",
                "Usage: presence set [OPTIONS] <userId> <status>", "Try 'presence set --help' for more information.");
    }

    @Test
    void withoutASubcommandItIsAUsageError() {
        CliRun run = CliRun.run();

        assertThat(run.exitCode()).isEqualTo(PresenceCli.EXIT_INVALID);
        assertThat(run.err()).contains("Missing required subcommand").contains("Usage: presence");
    }

    @Test
    void anUnknownSubcommandIsAUsageError() {
        CliRun run = CliRun.run("sett", "agent-1", "online");

        assertThat(run.exitCode()).isEqualTo(PresenceCli.EXIT_INVALID);
        assertThat(run.err()).contains("Unmatched argument");
    }

    @Test
    void setWithoutAStatusNamesTheMissingParameter() {
        CliRun run = CliRun.run("set", "agent-1");

        assertThat(run.exitCode()).isEqualTo(PresenceCli.EXIT_INVALID);
        assertThat(run.err()).contains("Missing required parameter: '<status>'");
    }

    @Test
    void anUnknownStatusIsRejectedWithItsReasonCodeAndNothingIsSent() {
        CliRun run = CliRun.run("set", NO_BROKER, "agent-1", "sleeping");

        assertThat(run.exitCode()).isEqualTo(PresenceCli.EXIT_INVALID);
        assertThat(run.err()).startsWith("presence: invalid event: unknown-status: 'sleeping' is not one of");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void aStatusOutsideACustomStatusListIsRejected() {
        CliRun run = CliRun.run("set", NO_BROKER, "--statuses=available,gone", "agent-1", "online");

        assertThat(run.exitCode()).isEqualTo(PresenceCli.EXIT_INVALID);
        assertThat(run.err()).contains("unknown-status").contains("available,gone");
    }

    @Test
    void aNegativeTimestampIsRejected() {
        CliRun run = CliRun.run("set", NO_BROKER, "--ts=-5", "agent-1", "online");

        assertThat(run.exitCode()).isEqualTo(PresenceCli.EXIT_INVALID);
        assertThat(run.err()).contains("invalid-ts");
    }

    @Test
    void aTimestampFarInTheFutureIsRejected() {
        long inAnHour = System.currentTimeMillis() + 3_600_000;

        CliRun run = CliRun.run("set", NO_BROKER, "--ts=" + inAnHour, "agent-1", "online");

        assertThat(run.exitCode()).isEqualTo(PresenceCli.EXIT_INVALID);
        assertThat(run.err()).contains("ts-in-future");
    }

    @Test
    void aNonNumericTimestampIsAUsageError() {
        CliRun run = CliRun.run("set", "--ts=yesterday", "agent-1", "online");

        assertThat(run.exitCode()).isEqualTo(PresenceCli.EXIT_INVALID);
        assertThat(run.err()).contains("--ts");
    }

    @Test
    void deletingABlankUserIdIsRejected() {
        CliRun run = CliRun.run("delete", NO_BROKER, "  ");

        assertThat(run.exitCode()).isEqualTo(PresenceCli.EXIT_INVALID);
        assertThat(run.err()).startsWith("presence: invalid user id: invalid-user-id");
    }

    @Test
    void aTimeoutWithoutAUnitIsAUsageError() {
        CliRun run = CliRun.run("set", "--timeout=10", "agent-1", "online");

        assertThat(run.exitCode()).isEqualTo(PresenceCli.EXIT_INVALID);
        assertThat(run.err()).contains("--timeout").contains("e.g. 500ms, 10s");
    }

    @Test
    void anEmptyStatusListIsAUsageError() {
        CliRun run = CliRun.run("set", "--statuses=online,,away", "agent-1", "online");

        assertThat(run.exitCode()).isEqualTo(PresenceCli.EXIT_INVALID);
        assertThat(run.err()).contains("--statuses").contains("invalid status value ''");
    }

    @Test
    void aProducerPropertyWithoutAValueIsAUsageError() {
        CliRun run = CliRun.run("set", "-X", "acks", "agent-1", "online");

        assertThat(run.exitCode()).isEqualTo(PresenceCli.EXIT_INVALID);
        assertThat(run.err()).contains("-X");
    }

    @Test
    void aProducerPropertyKafkaRejectsIsAUsageErrorNamingTheKey() {
        CliRun run = CliRun.run("set", NO_BROKER, "-X", "acks=maybe", "agent-1", "online");

        assertThat(run.exitCode()).isEqualTo(PresenceCli.EXIT_INVALID);
        assertThat(run.err()).contains("invalid producer setting").contains("acks");
    }
}

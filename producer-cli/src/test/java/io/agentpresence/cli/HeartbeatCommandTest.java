package io.agentpresence.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code heartbeat} and {@code --device}: bad input exits 2 with its reason code before any broker is contacted. */
class HeartbeatCommandTest {

    /** No broker listens here; a test that reached it would fail with exit code 1, not 2. */
    private static final String NO_BROKER = "--bootstrap-servers=127.0.0.1:1";

    static Stream<Arguments> badDevices() {
        return Stream.of(
                Arguments.of("empty", "", "invalid-device"),
                Arguments.of("blank", "   ", "invalid-device"),
                Arguments.of("with a leading space", " laptop", "invalid-device"),
                Arguments.of("with a tab", "lap\ttop", "invalid-device"),
                Arguments.of("with a newline", "laptop\n", "invalid-device"),
                Arguments.of("of 65 characters", "d".repeat(65), "device-too-long"));
    }

    @ParameterizedTest(name = "heartbeat with a device {0}")
    @MethodSource("badDevices")
    void aHeartbeatWithABadDeviceIsRejectedWithItsReasonCode(String name, String device, String code) {
        CliRun run = CliRun.run("heartbeat", NO_BROKER, "--device", device, "agent-1");

        assertThat(run.exitCode()).isEqualTo(PresenceCli.EXIT_INVALID);
        assertThat(run.err()).startsWith("presence: invalid event: " + code + ": ");
        assertThat(run.out()).isEmpty();
    }

    @ParameterizedTest(name = "set with a device {0}")
    @MethodSource("badDevices")
    void aStatusWithABadDeviceIsRejectedWithItsReasonCode(String name, String device, String code) {
        CliRun run = CliRun.run("set", NO_BROKER, "--device=" + device, "agent-1", "online");

        assertThat(run.exitCode()).isEqualTo(PresenceCli.EXIT_INVALID);
        assertThat(run.err()).startsWith("presence: invalid event: " + code + ": ");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void heartbeatHelpStatesWhereHeartbeatsGoAndShowsItsOptions() {
        CliRun run = CliRun.run("heartbeat", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("always goes to --device-topic", "implicit device",
                "--device-topic", "--device=DEVICE", "--ts", "--source", "--timeout", "-X");
        // a heartbeat never goes to the presence topic, so the option that names it is not offered
        assertThat(run.out()).doesNotContain(" --topic=");
    }

    @Test
    void setHelpStatesThatADeviceSendsToTheDeviceTopic() {
        CliRun run = CliRun.run("set", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("with --device, to --device-topic", "--device=DEVICE", "--device-topic");
    }

    @Test
    void aHeartbeatWithoutAUserIdNamesTheMissingParameter() {
        CliRun run = CliRun.run("heartbeat", "--device=laptop");

        assertThat(run.exitCode()).isEqualTo(PresenceCli.EXIT_INVALID);
        assertThat(run.err()).contains("Missing required parameter: '<userId>'");
    }

    @Test
    void aHeartbeatTakesNoStatus() {
        CliRun run = CliRun.run("heartbeat", NO_BROKER, "agent-1", "online");

        assertThat(run.exitCode()).isEqualTo(PresenceCli.EXIT_INVALID);
        assertThat(run.err()).contains("Unmatched argument").contains("online");
    }

    @Test
    void aHeartbeatConfirmingAnUnknownStatusIsRejected() {
        CliRun run = CliRun.run("heartbeat", NO_BROKER, "--status=dancing", "agent-1");

        assertThat(run.exitCode()).isEqualTo(PresenceCli.EXIT_INVALID);
        assertThat(run.err()).contains("unknown-status");
    }

    @Test
    void aHeartbeatForABlankUserIdIsRejected() {
        CliRun run = CliRun.run("heartbeat", NO_BROKER, " ");

        assertThat(run.exitCode()).isEqualTo(PresenceCli.EXIT_INVALID);
        assertThat(run.err()).startsWith("presence: invalid event: invalid-user-id");
    }

    @Test
    void aHeartbeatFarInTheFutureIsRejected() {
        long inAnHour = System.currentTimeMillis() + 3_600_000;

        CliRun run = CliRun.run("heartbeat", NO_BROKER, "--ts=" + inAnHour, "--device=laptop", "agent-1");

        assertThat(run.exitCode()).isEqualTo(PresenceCli.EXIT_INVALID);
        assertThat(run.err()).contains("ts-in-future");
    }

    @Test
    void deleteHasNoDeviceTopicSinceTombstonesAreUserLevel() {
        CliRun run = CliRun.run("delete", NO_BROKER, "--device-topic=devices", "agent-1");

        assertThat(run.exitCode()).isEqualTo(PresenceCli.EXIT_INVALID);
        assertThat(run.err()).contains("Unknown option: '--device-topic=devices'");
    }
}

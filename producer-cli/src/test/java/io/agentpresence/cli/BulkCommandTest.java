package io.agentpresence.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bulk input is validated in full first: any bad line means exit 2, every bad line reported, nothing sent. */
class BulkCommandTest {

    /** No broker listens here; a run that tried to publish would fail with exit code 1, not 2. */
    private static final String NO_BROKER = "--bootstrap-servers=127.0.0.1:1";

    private static final String MIXED = String.join("\n",
            "{\"userId\":\"agent-1\",\"status\":\"online\",\"ts\":1000}",
            "{\"userId\":\"agent-2\",\"status\":\"sleeping\",\"ts\":1000}",
            "",
            "{not json",
            "{\"userId\":\"agent-3\",\"status\":\"away\"}",
            "{\"status\":\"online\"}") + "\n";

    @TempDir
    Path dir;

    @Test
    void badLinesInAFileAreReportedByLineNumberWithReasonCodeAndNothingIsPublished() throws IOException {
        Path file = Files.writeString(dir.resolve("events.jsonl"), MIXED);

        CliRun run = CliRun.run("bulk", NO_BROKER, file.toString());

        assertThat(run.exitCode()).isEqualTo(PresenceCli.EXIT_INVALID);
        assertThat(run.err().lines().toList()).containsExactly(
                "line 2: unknown-status: 'sleeping' is not one of away,busy,offline,online",
                run.err().lines().toList().get(1),
                "line 6: missing-user-id: field 'userId' is required",
                "presence: 3 invalid line(s); nothing was published");
        assertThat(run.err().lines().toList().get(1)).startsWith("line 4: malformed-json: ");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void badLinesOnStdinAreReportedTheSameWay() {
        CliRun run = CliRun.withStdin(MIXED, "bulk", NO_BROKER, "-");

        assertThat(run.exitCode()).isEqualTo(PresenceCli.EXIT_INVALID);
        assertThat(run.err()).contains("line 2: unknown-status", "line 4: malformed-json", "line 6: missing-user-id")
                .doesNotContain("line 1:", "line 3:", "line 5:");
    }

    @Test
    void lineNumbersCountBlankLinesAndWindowsLineEndings() {
        String input = "\r\n   \r\n{\"userId\":\"agent-1\",\"status\":\"online\",\"ts\":-1}\r\n";

        CliRun run = CliRun.withStdin(input, "bulk", NO_BROKER, "-");

        assertThat(run.exitCode()).isEqualTo(PresenceCli.EXIT_INVALID);
        assertThat(run.err()).startsWith("line 3: invalid-ts: ");
    }

    @Test
    void invalidUtf8IsRejectedNotReplaced() {
        byte[] input = "{\"userId\":\"agent-\u00ff\",\"status\":\"online\"}\n".getBytes(StandardCharsets.ISO_8859_1);

        CliRun run = CliRun.run(new ByteArrayInputStream(input), "bulk", NO_BROKER, "-");

        assertThat(run.exitCode()).isEqualTo(PresenceCli.EXIT_INVALID);
        assertThat(run.err()).startsWith("line 1: malformed-json: ");
    }

    @Test
    void aMissingFileIsAUsageError() {
        CliRun run = CliRun.run("bulk", NO_BROKER, dir.resolve("nope.jsonl").toString());

        assertThat(run.exitCode()).isEqualTo(PresenceCli.EXIT_INVALID);
        assertThat(run.err()).contains("cannot read").contains("no such file");
    }

    @Test
    void anInputOfOnlyBlankLinesPublishesNothingAndSucceedsWithoutABroker() {
        CliRun run = CliRun.withStdin("\n\n  \n", "bulk", NO_BROKER, "--topic=t1", "-");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo("published 0 events to t1" + System.lineSeparator());
    }

    @Test
    void helpSaysWhereHeartbeatsAndDeviceEventsGo() {
        CliRun run = CliRun.run("bulk", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("A heartbeat or an event with a \"device\" goes to --device-topic",
                "--device-topic");
    }

    @Test
    void theKeyIsTheUserIdOfTheLineItself() {
        assertThat(BulkInput.peekUserId("{\"x\":{\"userId\":\"inner\"},\"userId\":\"outer\"}".getBytes()))
                .isEqualTo("outer");
        assertThat(BulkInput.peekUserId("[1,2]".getBytes())).isNull();
        assertThat(BulkInput.peekUserId("{\"userId\":".getBytes())).isNull();
    }
}

package io.agentpresence.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The command line's own checks and what it prints when it fails, without a broker or a database. */
class ConsumerAppTest {

    @ParameterizedTest
    @ValueSource(strings = {"mysql://app:hunter2@127.0.0.1/presence", "jdbc:mysql://app:hunter2@127.0.0.1:notaport/presence",
        "jdbc:mysql://127.0.0.1:notaport/presence?user=app&password1=hunter2",
        "jdbc:mysql://address=(host=127.0.0.1)(port=notaport)(password=hunter2)/presence"})
    void aDatabaseUrlItCannotUseIsReportedWithItsSecretsMasked(String url, @TempDir Path dir) throws Exception {
        Path config = dir.resolve("presence.properties");
        Files.writeString(config, "db.url=" + url + "\nmigrate.on.start=true\n");

        ConsumerCommand result = ConsumerCommand.run("migrate", "--config", config.toString());

        assertThat(result.exitCode()).as(result.toString()).isNotZero();
        assertThat(result.err()).as(result.toString()).startsWith("error: ").doesNotContain("hunter2");
    }

    @Test
    void aLockBudgetThatIsNotAPositiveDurationIsABadUsage() {
        for (String bad : List.of("0s", "PT-5S", "soon")) {
            ConsumerCommand rebuild = ConsumerCommand.run("rebuild", "--lock-budget", bad);

            assertThat(rebuild.exitCode()).as(rebuild.toString()).isEqualTo(2);
            assertThat(rebuild.err()).contains("expected a positive duration such as 10s, not '" + bad + "'");
        }
    }

    @Test
    void verifyOptionsItCannotReadAreABadUsage() {
        Map<List<String>, String> bad = Map.of(
                List.of("--since", "soon"), "expected an ISO-8601 instant such as 2026-11-28T09:00:00Z or epoch"
                        + " milliseconds, not 'soon'",
                List.of("--limit", "-1"), "--limit: expected 0 or more, not -1",
                List.of("--partition", "first"), "'first' is not an int");
        bad.forEach((options, message) -> {
            List<String> args = new ArrayList<>(List.of("verify"));
            args.addAll(options);

            ConsumerCommand verify = ConsumerCommand.run(args.toArray(String[]::new));

            assertThat(verify.exitCode()).as(verify.toString()).isEqualTo(2);
            assertThat(verify.err()).contains(message);
        });
    }
}

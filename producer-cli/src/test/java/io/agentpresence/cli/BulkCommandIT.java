package io.agentpresence.cli;

import static java.util.stream.Collectors.groupingBy;
import static java.util.stream.Collectors.mapping;
import static java.util.stream.Collectors.toList;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentpresence.embedded.junit.KafkaEndpoint;
import io.agentpresence.embedded.junit.PresenceInfrastructure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code bulk} against a real broker: every line lands, keyed by its userId, in input order per user. */
@ExtendWith(PresenceInfrastructure.class)
class BulkCommandIT {

    private static final String[] STATUSES = {"online", "away", "busy", "offline"};
    private static final int USERS = 7;
    private static final int EVENTS = 400;

    @TempDir
    Path dir;

    /** Events for several users interleaved, with a blank line now and then, as a script might write them. */
    private static List<String> lines() {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            lines.add("{\"userId\":\"agent-" + (i % USERS) + "\",\"status\":\"" + STATUSES[i % STATUSES.length]
                    + "\",\"ts\":" + (1_700_000_000_000L + i) + ",\"source\":\"bulk-it\",\"seq\":" + i + "}");
            if (i % 50 == 0) {
                lines.add("");
            }
        }
        return lines;
    }

    private static Map<String, List<String>> perUser(List<String> values) {
        return values.stream().filter(v -> !v.isEmpty())
                .collect(groupingBy(v -> v.replaceAll(".*\"userId\":\"([^\"]+)\".*", "$1"), mapping(v -> v, toList())));
    }

    private static void assertPublishedInOrderPerUser(KafkaEndpoint kafka, String topic, List<String> lines) {
        List<TestTopics.Written> written = TestTopics.readAll(kafka, topic, EVENTS);

        assertThat(written).hasSize(EVENTS);
        assertThat(written).allSatisfy(w -> assertThat(w.value()).contains("\"userId\":\"" + w.key() + "\""));
        assertThat(written.stream().map(TestTopics.Written::partition).distinct().count()).isGreaterThan(1);
        Map<String, List<String>> expected = perUser(lines);
        Map<String, List<String>> actual = perUser(written.stream().map(TestTopics.Written::value).toList());
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        // the CLI re-encodes each event, so compare the fields that identify it, in order
        expected.forEach((user, events) -> assertThat(actual.get(user).stream().map(BulkCommandIT::identity).toList())
                .as("events of %s in order", user)
                .isEqualTo(events.stream().map(BulkCommandIT::identity).toList()));
    }

    private static String identity(String json) {
        return json.replaceAll(".*\"status\":\"([^\"]+)\".*\"ts\":(\\d+).*", "$1@$2");
    }

    @Test
    void bulkFromAFilePublishesEveryLineInOrderPerUser(KafkaEndpoint kafka) throws Exception {
        String topic = TestTopics.create(kafka, "cli-bulk-file", 3);
        List<String> lines = lines();
        Path file = Files.write(dir.resolve("events.jsonl"), lines);

        CliRun run = CliRun.run("bulk", "--bootstrap-servers=" + kafka.bootstrapServers(), "--topic=" + topic,
                file.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("published " + EVENTS + " events to " + topic + System.lineSeparator());
        assertPublishedInOrderPerUser(kafka, topic, lines);
    }

    @Test
    void bulkFromStdinPublishesEveryLineInOrderPerUser(KafkaEndpoint kafka) throws Exception {
        String topic = TestTopics.create(kafka, "cli-bulk-stdin", 3);
        List<String> lines = lines();

        CliRun run = CliRun.withStdin(String.join("\n", lines), "bulk",
                "--bootstrap-servers=" + kafka.bootstrapServers(), "--topic=" + topic, "-");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("published " + EVENTS + " events to " + topic + System.lineSeparator());
        assertPublishedInOrderPerUser(kafka, topic, lines);
    }

    @Test
    void aBulkInputWithOneBadLinePublishesNothing(KafkaEndpoint kafka) throws Exception {
        String topic = TestTopics.create(kafka, "cli-bulk-bad", 1);
        List<String> lines = new ArrayList<>(lines());
        lines.add("{\"userId\":\"agent-1\",\"status\":\"asleep\"}");

        CliRun run = CliRun.withStdin(String.join("\n", lines), "bulk",
                "--bootstrap-servers=" + kafka.bootstrapServers(), "--topic=" + topic, "-");

        assertThat(run.exitCode()).isEqualTo(PresenceCli.EXIT_INVALID);
        assertThat(run.err()).startsWith("line " + lines.size() + ": unknown-status: ");
        assertThat(TestTopics.count(kafka, topic)).isZero();
    }
}

package io.agentpresence.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentpresence.embedded.junit.KafkaEndpoint;
import io.agentpresence.embedded.junit.PresenceInfrastructure;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code set} and {@code delete} against a real broker: the record is keyed by userId and says what was asked. */
@ExtendWith(PresenceInfrastructure.class)
class SetAndDeleteIT {

    @Test
    void setPublishesTheJsonEventKeyedByUserIdAndSaysWhereItLanded(KafkaEndpoint kafka) throws Exception {
        String topic = TestTopics.create(kafka, "cli-set", 1);

        CliRun run = CliRun.run("set", "--bootstrap-servers=" + kafka.bootstrapServers(), "--topic=" + topic,
                "--ts=1764284615123", "--source=it-test", "agent-42", "online");

        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo("sent agent-42=online to " + topic + " partition 0 offset 0" + System.lineSeparator());
        assertThat(TestTopics.readAll(kafka, topic, 1)).containsExactly(new TestTopics.Written("agent-42",
                "{\"userId\":\"agent-42\",\"status\":\"online\",\"ts\":1764284615123,\"source\":\"it-test\"}", 0, 0));
    }

    @Test
    void setStampsTheEventWithNowAndTheCliAsSourceByDefault(KafkaEndpoint kafka) throws Exception {
        String topic = TestTopics.create(kafka, "cli-set-defaults", 1);
        long before = System.currentTimeMillis();

        CliRun run = CliRun.run("set", "--bootstrap-servers=" + kafka.bootstrapServers(), "--topic=" + topic,
                "agent-7", "away");

        assertThat(run.exitCode()).isZero();
        String value = TestTopics.readAll(kafka, topic, 1).get(0).value();
        long ts = Long.parseLong(value.replaceAll(".*\"ts\":(\\d+).*", "$1"));
        assertThat(ts).isBetween(before, System.currentTimeMillis());
        assertThat(value).contains("\"status\":\"away\"", "\"source\":\"presence-cli\"");
    }

    @Test
    void theDefaultTsIsTheMomentOfSendingNotTheMomentTheCommandStarted(KafkaEndpoint kafka) throws Exception {
        String topic = TestTopics.create(kafka, "cli-set-ts", 1);

        CliRun run = CliRun.run("set", "--bootstrap-servers=" + kafka.bootstrapServers(), "--topic=" + topic,
                "agent-9", "online");

        assertThat(run.exitCode()).isZero();
        String value = TestTopics.readAll(kafka, topic, 1).get(0).value();
        long ts = Long.parseLong(value.replaceAll(".*\"ts\":(\\d+).*", "$1"));
        long sent = TestTopics.timestamps(kafka, topic, 1).get(0);
        // the producer stamps the record when it sends it; starting the producer and its first metadata come before
        assertThat(sent - ts).as("ms between the event's ts and the record's send time").isBetween(0L, 20L);
    }

    @Test
    void setAcceptsAStatusFromACustomStatusList(KafkaEndpoint kafka) throws Exception {
        String topic = TestTopics.create(kafka, "cli-set-statuses", 1);

        CliRun run = CliRun.run("set", "--bootstrap-servers=" + kafka.bootstrapServers(), "--topic=" + topic,
                "--statuses=available,gone", "agent-8", "gone");

        assertThat(run.exitCode()).isZero();
        assertThat(TestTopics.readAll(kafka, topic, 1).get(0).value()).contains("\"status\":\"gone\"");
    }

    @Test
    void deletePublishesATombstoneKeyedByUserId(KafkaEndpoint kafka) throws Exception {
        String topic = TestTopics.create(kafka, "cli-delete", 1);

        CliRun run = CliRun.run("delete", "--bootstrap-servers=" + kafka.bootstrapServers(), "--topic=" + topic,
                "agent-42");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo("sent tombstone for agent-42 to " + topic + " partition 0 offset 0"
                + System.lineSeparator());
        List<TestTopics.Written> written = TestTopics.readAll(kafka, topic, 1);
        assertThat(written).containsExactly(new TestTopics.Written("agent-42", null, 0, 0));
    }
}

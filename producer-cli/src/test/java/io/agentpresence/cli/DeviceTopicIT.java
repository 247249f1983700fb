package io.agentpresence.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentpresence.embedded.junit.KafkaEndpoint;
import io.agentpresence.embedded.junit.PresenceInfrastructure;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code heartbeat} and {@code set --device} against a real broker: heartbeats and events with a device land on
 * the device topic keyed by userId, and nothing of theirs on the presence topic.
 */
@ExtendWith(PresenceInfrastructure.class)
class DeviceTopicIT {

    private static final String NL = System.lineSeparator();

    /** {@code command} against the test broker with both topics named, then {@code rest}. */
    private static String[] args(KafkaEndpoint kafka, String users, String devices, String command, String... rest) {
        return Stream.concat(Stream.of(command, "--bootstrap-servers=" + kafka.bootstrapServers(), "--topic=" + users,
                "--device-topic=" + devices), Stream.of(rest)).toArray(String[]::new);
    }

    @Test
    void aHeartbeatWithADeviceLandsOnTheDeviceTopicKeyedByUserId(KafkaEndpoint kafka) throws Exception {
        String users = TestTopics.create(kafka, "cli-hb-users", 1);
        String devices = TestTopics.create(kafka, "cli-hb-devices", 1);

        CliRun run = CliRun.run(args(kafka, users, devices, "heartbeat", "--ts=1764284615123", "--source=it-test",
                "--device=laptop", "agent-42"));

        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo("sent heartbeat for agent-42 (device laptop) to " + devices
                + " partition 0 offset 0" + NL);
        assertThat(TestTopics.readAll(kafka, devices, 1)).containsExactly(new TestTopics.Written("agent-42",
                "{\"userId\":\"agent-42\",\"kind\":\"heartbeat\",\"ts\":1764284615123,\"source\":\"it-test\","
                        + "\"device\":\"laptop\"}", 0, 0));
        assertThat(TestTopics.count(kafka, users)).isZero();
    }

    @Test
    void aHeartbeatWithoutADeviceIsTheImplicitDevicesStampedNowByTheCli(KafkaEndpoint kafka) throws Exception {
        String users = TestTopics.create(kafka, "cli-hb-implicit-users", 1);
        String devices = TestTopics.create(kafka, "cli-hb-implicit-devices", 1);
        long before = System.currentTimeMillis();

        CliRun run = CliRun.run(args(kafka, users, devices, "heartbeat", "agent-7"));

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("sent heartbeat for agent-7 to " + devices + " partition 0 offset 0" + NL);
        TestTopics.Written written = TestTopics.readAll(kafka, devices, 1).get(0);
        long ts = Long.parseLong(written.value().replaceAll(".*\"ts\":(\\d+).*", "$1"));
        assertThat(ts).isBetween(before, System.currentTimeMillis());
        assertThat(written.key()).isEqualTo("agent-7");
        assertThat(written.value()).isEqualTo("{\"userId\":\"agent-7\",\"kind\":\"heartbeat\",\"ts\":" + ts
                + ",\"source\":\"presence-cli\"}");
        assertThat(TestTopics.count(kafka, users)).isZero();
    }

    @Test
    void aStatusWithADeviceLandsOnTheDeviceTopic(KafkaEndpoint kafka) throws Exception {
        String users = TestTopics.create(kafka, "cli-set-device-users", 1);
        String devices = TestTopics.create(kafka, "cli-set-device-devices", 1);

        CliRun run = CliRun.run(args(kafka, users, devices, "set", "--ts=1764284615123", "--source=it-test",
                "--device=phone", "agent-42", "busy"));

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("sent agent-42=busy (device phone) to " + devices + " partition 0 offset 0" + NL);
        assertThat(TestTopics.readAll(kafka, devices, 1)).containsExactly(new TestTopics.Written("agent-42",
                "{\"userId\":\"agent-42\",\"status\":\"busy\",\"ts\":1764284615123,\"source\":\"it-test\","
                        + "\"device\":\"phone\"}", 0, 0));
        assertThat(TestTopics.count(kafka, users)).isZero();
    }

    @Test
    void aStatusWithoutADeviceStaysOnThePresenceTopic(KafkaEndpoint kafka) throws Exception {
        String users = TestTopics.create(kafka, "cli-set-nodevice-users", 1);
        String devices = TestTopics.create(kafka, "cli-set-nodevice-devices", 1);

        CliRun run = CliRun.run(args(kafka, users, devices, "set", "--ts=1764284615123", "agent-42", "away"));

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("sent agent-42=away to " + users + " partition 0 offset 0" + NL);
        assertThat(TestTopics.readAll(kafka, users, 1)).extracting(TestTopics.Written::key).containsExactly("agent-42");
        assertThat(TestTopics.count(kafka, devices)).isZero();
    }
}
